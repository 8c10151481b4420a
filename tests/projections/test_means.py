"""Equal inputs give exactly equal outputs: a score made of components that are all 100 is
100, never 99.99999999999999 (the API keeps scores unrounded)."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from itertools import combinations, permutations

from hypothesis import given
from hypothesis import strategies as st

from projections.figures.means import mean, weighted_mean
from projections.figures.trust import COMPONENTS, DEFAULT_WEIGHTS, Band
from tests.support.histories import History

Make = Callable[..., History]
WEIGHTS = [DEFAULT_WEIGHTS.of(name) for name, _ in COMPONENTS]


def test_a_weighted_mean_of_equal_values_is_that_value_for_every_set_of_weights() -> None:
    # as floats, 0.3 x 100 + 0.25 x 100 over 0.3 + 0.25 is 99.99999999999999
    for size in range(1, len(WEIGHTS) + 1):
        for chosen in combinations(WEIGHTS, size):
            for value in (100.0, 0.0, 62.5, 1 / 3):
                assert weighted_mean((w, value) for w in chosen) == value, chosen


def test_the_order_of_the_inputs_never_matters() -> None:
    values = [100.0, 0.1, 87.27272727272727, 33.333333333333336, 50.0]
    pairs = list(zip(WEIGHTS, values, strict=True))
    assert len({weighted_mean(order) for order in permutations(pairs)}) == 1


FINITE = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(st.lists(st.tuples(FINITE, FINITE), max_size=6), st.sampled_from([1, 100]))
def test_the_mean_is_the_exact_rational_mean_rounded_once(
        pairs: list[tuple[float, float]], times: int) -> None:
    total = sum((Fraction(w) for w, _ in pairs), Fraction(0))
    weighted = sum((Fraction(w) * Fraction(v) for w, v in pairs), Fraction(0))
    assert weighted_mean(pairs, times) == (float(weighted * times / total) if total > 0
                                           else None)


def test_means_of_nothing_are_none() -> None:
    assert mean([]) is None
    assert weighted_mean([(0.0, 100.0)]) is None
    assert mean([1.0, 1.0, 1.0], times=100) == 100.0


def test_a_client_whose_every_component_is_100_scores_exactly_100(history: Make) -> None:
    # present: clientPromises (0.20), overdueExposure (0.10), vendorPromises (0.25) and
    # complaintHandling (0.15), each 100: as floats their weighted mean was
    # 99.99999999999999, and the client side (0.20, 0.10) too
    h = history(onboarded="2026-01-05")
    h.promise("WE", "2026-01-10", "2026-02-01")
    h.add("PromiseKept", "2026-01-30", promiseId="WE")
    h.promise("THEY", "2026-01-10", "2026-02-01", by="CLIENT", kind="SUPPORT")
    h.add("PromiseKept", "2026-01-31", promiseId="THEY")
    h.invoice("INV1", "2026-02-10", "1000.00")  # due 2026-03-12: not yet due
    trust = h.figures("2026-02-20").trust
    assert {c.name for c in trust.components if c.value is not None} == {
        "clientPromises", "overdueExposure", "vendorPromises", "complaintHandling"}
    assert all(c.value == 100.0 for c in trust.components if c.value is not None)
    assert trust.score == 100.0
    assert trust.client_side == 100.0
    assert trust.vendor_side == 100.0
    assert trust.band is Band.STRONG

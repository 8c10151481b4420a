"""Means computed exactly, so that equal inputs give exactly equal outputs.

Floating-point sums drift: the weights 0.3 and 0.25 of two components worth 100 give
99.99999999999999 when added and divided as floats.  Here every weight and value is
taken at its exact rational value, summed and divided without rounding, and only the
result is rounded once to the nearest float: a mean of values that are all 100 is 100,
and the order of the inputs never matters.

A float is an integer over a power of two (`as_integer_ratio`), so the sums are kept as
integers over the largest denominator met, and the one division of two integers is
correctly rounded by Python — the same float as `Fraction` arithmetic gives, without
its greatest common divisor at every step.
"""

from __future__ import annotations

from collections.abc import Iterable


def weighted_mean(pairs: Iterable[tuple[float, float]], times: int = 1) -> float | None:
    """`times` × Σ wᵢ·vᵢ ÷ Σ wᵢ over (weight, value) pairs, rounded once; None when the
    weights add up to 0."""
    weights: list[tuple[int, int]] = []
    products: list[tuple[int, int]] = []
    for weight, value in pairs:
        w, w_over = weight.as_integer_ratio()
        v, v_over = value.as_integer_ratio()
        weights.append((w, w_over))
        products.append((w * v, w_over * v_over))
    if not weights:
        return None
    total_over = max(over for _, over in weights)  # every denominator divides it: 2^k
    total = sum(n * (total_over // over) for n, over in weights)
    if total <= 0:
        return None
    weighted_over = max(over for _, over in products)
    weighted = sum(n * (weighted_over // over) for n, over in products)
    # (weighted / weighted_over) x times / (total / total_over), rounded once
    return (weighted * times * total_over) / (weighted_over * total)


def mean(values: Iterable[float], times: int = 1) -> float | None:
    """`times` × the plain mean, rounded once; None when there is no value."""
    return weighted_mean(((1.0, v) for v in values), times)

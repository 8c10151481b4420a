"""Means computed exactly, so that equal inputs give exactly equal outputs.

Floating-point sums drift: the weights 0.3 and 0.25 of two components worth 100 give
99.99999999999999 when added and divided as floats.  Here every weight and value is
taken at its exact rational value (`Fraction`), summed and divided without rounding, and
only the result is rounded once to the nearest float: a mean of values that are all 100
is 100, and the order of the inputs never matters.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction


def weighted_mean(pairs: Iterable[tuple[float, float]], times: int = 1) -> float | None:
    """`times` × Σ wᵢ·vᵢ ÷ Σ wᵢ over (weight, value) pairs, rounded once; None when the
    weights add up to 0."""
    total = Fraction(0)
    weighted = Fraction(0)
    for weight, value in pairs:
        w = Fraction(weight)
        total += w
        weighted += w * Fraction(value)
    if total <= 0:
        return None
    return float(weighted * times / total)


def mean(values: Iterable[float], times: int = 1) -> float | None:
    """`times` × the plain mean, rounded once; None when there is no value."""
    return weighted_mean(((1.0, v) for v in values), times)

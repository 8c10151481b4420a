"""The one retry mechanism: tried again on the named errors only, a bounded number of
times, waiting as told in between; the last failure propagates."""

from __future__ import annotations

import pytest

from domain.retrying import exponential, retrying, steady


class Passing(Exception):
    pass


def test_a_passing_failure_is_tried_again_until_it_works() -> None:
    waits: list[float] = []
    calls = []

    @retrying(Passing, attempts=5, wait=lambda n: n / 10, sleep=waits.append)
    def flaky(x: int) -> int:
        calls.append(x)
        if len(calls) < 3:
            raise Passing
        return x * 2

    assert flaky(21) == 42
    assert calls == [21, 21, 21]
    assert waits == [0.0, 0.1]


def test_the_last_failure_propagates_after_every_attempt() -> None:
    calls = []

    @retrying(Passing, attempts=3, wait=steady(0), sleep=lambda _: None)
    def broken() -> None:
        calls.append(1)
        raise Passing("still")

    with pytest.raises(Passing, match="still"):
        broken()
    assert len(calls) == 3


def test_other_errors_are_not_retried() -> None:
    calls = []

    @retrying(Passing, attempts=3, wait=steady(0), sleep=lambda _: None)
    def wrong() -> None:
        calls.append(1)
        raise ValueError

    with pytest.raises(ValueError):  # noqa: PT011
        wrong()
    assert len(calls) == 1


def test_waits() -> None:
    assert all(0.19 <= steady(0.2)(n) <= 0.21 for n in range(50))
    grow = exponential(first=0.001, factor=1.5, most=0.1)
    assert all(0 <= grow(n) <= min(0.1, 0.001 * 1.5**n) for n in range(100))
    with pytest.raises(ValueError, match="attempts"):
        retrying(Passing, attempts=0, wait=steady(0))

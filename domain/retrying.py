"""Trying an operation again when it fails for a passing reason: the one retry mechanism.

    @retrying(OperationalError, attempts=10, wait=steady(0.2))
    def select(...): ...

`retrying(on, attempts, wait)` calls the function again while it raises one of
`on`, at most `attempts` times in all; the last failure propagates.  `wait(n)`
is how long to sleep after the n-th failure (from 0): `steady` waits about the
same each time, `exponential` a random time up to a growing bound (so that
writers racing for the same stream spread out).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
Wait = Callable[[int], float]


def steady(seconds: float) -> Wait:
    """About `seconds` each time (±5 %)."""
    return lambda _: seconds * (1 + 0.1 * (random.random() - 0.5))


def exponential(first: float, factor: float, most: float) -> Wait:
    """A random time up to `first * factor**n`, and never more than `most`."""
    return lambda n: random.uniform(0, min(most, first * factor**n))


def retrying(on: type[BaseException] | tuple[type[BaseException], ...], attempts: int,
             wait: Wait, sleep: Callable[[float], None] = time.sleep,
             ) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A decorator: call again while the function raises `on`, `attempts` times in all."""
    if attempts < 1:
        raise ValueError("attempts must be 1 or more")

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @wraps(function)
        def again(*args: P.args, **kwargs: P.kwargs) -> R:
            for n in range(attempts - 1):
                try:
                    return function(*args, **kwargs)
                except on:
                    sleep(wait(n))
            return function(*args, **kwargs)
        return again
    return decorate

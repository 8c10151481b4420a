"""Windows of days ending at a date: "the N days up to d" are d - N < x ≤ d.

The trust and gap window is the 365 days up to `as_of`, with future dates
included (an item is in it when its date is after `as_of` - 365 days).
"""

from __future__ import annotations

from datetime import date, timedelta

YEAR = 365
_YEAR = timedelta(days=YEAR)


def start(as_of: date, days: int) -> date:
    """The last date *outside* the N days up to `as_of`."""
    return as_of - timedelta(days=days)


def within(day: date, as_of: date, days: int) -> bool:
    """Whether `day` is one of the `days` days up to `as_of`."""
    return as_of - timedelta(days=days) < day <= as_of


def in_year(day: date, as_of: date) -> bool:
    """Whether a dated item belongs to the 365-day window of `as_of` (future dates count)."""
    return day > as_of - _YEAR

"""The strict check of each value type a caller writes: ids, text, amounts, dates,
currencies and time zones.

Each takes the caller's value and the name of the field it came in, and returns
the value the event holds or raises `InvalidInput` with a message that names
the field.  `check_text` (in `domain.values`) refuses control characters and
lone surrogates in every text and id.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources

from domain.errors import InvalidInput
from domain.values import CENTS, CURRENCIES, check_text

_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: an amount as a caller writes it: ASCII digits, at most one point, no sign but minus
_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
#: an amount tagged with its currency: "12.50 EUR" or "EUR 12.50", one space between
_CURRENCY_TAG = re.compile(r"(?:([A-Z]{3}) )?([^ ]+)(?: ([A-Z]{3}))?")


def parse_ref(value: object, field: str) -> str:
    """A client reference or entity id: 1–64 characters of [A-Za-z0-9._:-]."""
    if isinstance(value, str):
        check_text(value, field)
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise InvalidInput(
            f"{field} must be 1 to 64 characters of letters, digits and . _ : - (got {value!r})"
        )
    return value


def parse_money(value: object, field: str) -> Decimal:
    """An exact, positive amount with at most two decimal places, normalised to cents."""
    if isinstance(value, bool | float):
        raise InvalidInput(f"{field} must be an exact decimal written as a string, e.g. \"12.50\"")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        if len(value) > 40 or not _AMOUNT.fullmatch(value):
            raise InvalidInput(f"{field} must be a finite amount written with the digits 0-9 "
                               f"and at most one point, e.g. \"1250.00\" (got {value[:40]!r})")
        amount = Decimal(value)
    else:
        raise InvalidInput(f"{field} must be a decimal amount, e.g. \"12.50\"")
    if not amount.is_finite():
        raise InvalidInput(f"{field} must be a finite amount (got {value!r})")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise InvalidInput(f"{field} has more than two decimal places: {value!r}")
    if amount <= 0:
        raise InvalidInput(f"{field} must be greater than zero (got {value!r})")
    if amount >= Decimal("1e15"):
        raise InvalidInput(f"{field} is too large (at most 999999999999999.99)")
    return amount.quantize(CENTS)


def parse_date(value: object, field: str) -> date:
    """A business date written YYYY-MM-DD."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise InvalidInput(f"{field} must be a date written YYYY-MM-DD (got {value!r})")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{field} is not a valid date: {value!r}") from None


def parse_currency(value: object, field: str) -> str:
    if not isinstance(value, str) or value not in CURRENCIES:
        raise InvalidInput(f"{field} must be an ISO 4217 currency code such as EUR "
                           f"(got {value!r})")
    return value


def parse_timezone(value: object, field: str) -> str:
    if not isinstance(value, str) or value not in iana_zones():
        raise InvalidInput(f"{field} must be an IANA time zone such as Europe/Madrid "
                           f"(got {value!r:.80})")
    return value


@cache
def iana_zones() -> frozenset[str]:
    """The names of the IANA time zone database (the `tzdata` package's list, so that
    files of the host such as "localtime" are not names)."""
    return frozenset(resources.files("tzdata").joinpath("zones").read_text().split())


def parse_text(value: object, field: str, limit: int, free: bool) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text")
    check_text(value, field, free)
    if not value.strip():
        raise InvalidInput(f"{field} must not be blank")
    if len(value) > limit:
        raise InvalidInput(f"{field} is longer than {limit} characters")
    return value


def tagged_money(value: object, field: str, currencies: set[str]) -> Decimal:
    """An amount, optionally tagged with its currency: "12.50", "12.50 EUR" or "EUR 12.50"
    (the tag is added to `currencies`)."""
    if isinstance(value, str):
        match = _CURRENCY_TAG.fullmatch(value)
        if match and (match.group(1) or match.group(3)):
            if match.group(1) and match.group(3):
                raise InvalidInput(f"{field} names two currencies: {value!r}")
            currencies.add(parse_currency(match.group(1) or match.group(3),
                                          f"{field}'s currency"))
            value = match.group(2)
    return parse_money(value, field)

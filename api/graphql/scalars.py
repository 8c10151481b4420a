"""The custom scalars of the contract: Date, DateTime, Decimal and JSON.

Python annotations name plain types (`date`, `datetime`, `Decimal`, `JSONValue`) and
`SCALARS` maps them to these definitions (strawberry's `scalar_map`).  Amounts sent
by callers (`DecimalInput`) stay the string the caller wrote: the domain parses and
refuses them with its own codes (more than two decimals, NaN, currency tags...).
A Date or DateTime the calendar does not know is refused as INVALID_INPUT.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NewType

import strawberry
from graphql import StringValueNode, ValueNode, value_from_ast_untyped
from strawberry.types.scalar import ScalarDefinition

from domain.errors import InvalidInput
from domain.values import CENTS

#: an amount as the caller wrote it (a string), handed to the domain as is
DecimalInput = NewType("DecimalInput", str)
#: any JSON value (the `data` of a ledger event)
JSONValue = NewType("JSONValue", object)

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)  # room for the figures' windows


def _literal(parse: Callable[[Any], Any], kind: str) -> Callable[..., Any]:
    def parse_literal(node: ValueNode, variables: Mapping[str, Any] | None = None) -> Any:
        if not isinstance(node, StringValueNode):
            raise InvalidInput(f"a {kind} is written as a string")
        return parse(node.value)
    return parse_literal


# ---- Date ------------------------------------------------------------------------------


def serialize_date(value: date) -> str:
    return value.isoformat()


def parse_date_value(value: Any) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise InvalidInput(f"a Date is written YYYY-MM-DD (got {value!r})")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{value} is not a day of the calendar") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(f"a Date is from {FIRST_DAY} to {LAST_DAY} (got {value})")
    return day


# ---- DateTime ---------------------------------------------------------------------------


def serialize_datetime(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def parse_datetime_value(value: Any) -> datetime:
    """An ISO 8601 timestamp; one without an offset is read as UTC."""
    if not isinstance(value, str) or len(value) > 40:
        raise InvalidInput(f"a DateTime is an ISO 8601 timestamp such as "
                           f"2026-11-22T10:15:00+00:00 (got {value!r})")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"not a valid DateTime: {value!r}; write it like "
                           "2026-11-22T10:15:00+00:00") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# ---- Decimal ----------------------------------------------------------------------------


def serialize_decimal(value: Decimal | str) -> str:
    return str(Decimal(value).quantize(CENTS))


def parse_decimal_value(value: Any) -> DecimalInput:
    if not isinstance(value, str):
        raise InvalidInput(f"a Decimal is an exact amount written as a string, e.g. "
                           f"\"1250.00\" (got {value!r})")
    return DecimalInput(value)


# ---- JSON -------------------------------------------------------------------------------


def serialize_json(value: Any) -> Any:
    return value


def parse_json_literal(node: ValueNode, variables: Mapping[str, Any] | None = None) -> Any:
    return value_from_ast_untyped(node, dict(variables) if variables is not None else None)


DATE = strawberry.scalar(name="Date", description='A business date, "2026-11-22"',
                         serialize=serialize_date, parse_value=parse_date_value,
                         parse_literal=_literal(parse_date_value, "Date"))
DATETIME = strawberry.scalar(name="DateTime",
                             description='A UTC timestamp, "2026-11-22T10:15:00.123456+00:00"',
                             serialize=serialize_datetime, parse_value=parse_datetime_value,
                             parse_literal=_literal(parse_datetime_value, "DateTime"))
DECIMAL = strawberry.scalar(name="Decimal",
                            description='An exact decimal as a string, "1250.00"',
                            serialize=serialize_decimal, parse_value=parse_decimal_value,
                            parse_literal=_literal(parse_decimal_value, "Decimal"))
JSON = strawberry.scalar(name="JSON", description="Any JSON value",
                         serialize=serialize_json, parse_value=serialize_json,
                         parse_literal=parse_json_literal)

SCALARS: dict[object, ScalarDefinition] = {
    date: DATE,
    datetime: DATETIME,
    Decimal: DECIMAL,
    DecimalInput: DECIMAL,
    JSONValue: JSON,
}

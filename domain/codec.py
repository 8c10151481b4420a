"""Between events and plain data: parsing what callers send, and writing it back out.

One description of every event's fields, read from the event classes' type
hints, serves three formats:

- `parse(event_class, data)`: a caller's camelCase `data` (import line, GraphQL
  input) into event fields, strictly — unknown fields, wrong types, blank text,
  control characters, over-precise or negative amounts, time zones IANA does not
  name are refused with `InvalidInput`;
- `to_data(event)`: the event's own fields in camelCase, amounts as strings and
  dates as ISO strings, in declaration order (export, history, GraphQL `data`);
- `to_state` / `from_state`: the stored form, plain JSON with snake_case keys.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from importlib import resources
from types import NoneType, UnionType
from typing import Any

from domain.errors import InvalidInput
from domain.values import (
    CURRENCIES,
    Instalment,
    check_text,
    parse_date,
    parse_money,
    parse_ref,
)

#: fields every event has, set by the ledger rather than sent in `data`
BASE_FIELDS = frozenset({
    "originator_id", "originator_version", "timestamp", "originator_topic",
    "client_ref", "occurred_on", "actor", "idempotency_key", "request_digest",
})
#: fields a caller may leave out although the event always has them (the ledger fills them)
DEFAULTED = frozenset({"payment_terms_days", "contact_cap", "basis", "answered"})
#: integer fields and their bounds
BOUNDS = {"payment_terms_days": (0, 3650), "contact_cap": (0, 1000), "version": (1, 2**62)}
TEXT_LIMITS = {"name": 200, "method": 64}
TEXT_LIMIT = 4000
#: text fields of one line: no tab or newline either (the others are free text)
ONE_LINE = frozenset({"name", "sector", "method"})
#: an amount tagged with its currency: "12.50 EUR" or "EUR 12.50", one space between
_CURRENCY_TAG = re.compile(r"(?:([A-Z]{3}) )?([^ ]+)(?: ([A-Z]{3}))?")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    camel: str
    kind: str  # ref, refs, text, currency, timezone, money, date, int, bool, enum, instalments
    optional: bool
    enum: type[Enum] | None = None


def _kind(name: str, hint: Any) -> tuple[str, type[Enum] | None]:
    if isinstance(hint, type) and issubclass(hint, Enum):
        return "enum", hint
    if hint is str:
        if name.endswith("_id"):
            return "ref", None
        return (name if name in ("currency", "timezone") else "text"), None
    simple = {Decimal: "money", date: "date", bool: "bool", int: "int"}
    if hint in simple:
        return simple[hint], None
    if typing.get_origin(hint) is Sequence:
        (item,) = typing.get_args(hint)
        return ("instalments" if item is Instalment else "refs"), None
    raise TypeError(f"no codec for field {name}: {hint!r}")  # pragma: no cover


def specs(event_class: type) -> tuple[FieldSpec, ...]:
    """The event's own fields, in declaration order."""
    cached: tuple[FieldSpec, ...] | None = _SPECS.get(event_class)
    if cached is None:
        hints = typing.get_type_hints(event_class)
        out = []
        for f in fields(event_class):
            if f.name in BASE_FIELDS:
                continue
            hint, optional = hints[f.name], False
            if isinstance(hint, UnionType) and NoneType in typing.get_args(hint):
                (hint,) = [a for a in typing.get_args(hint) if a is not NoneType]
                optional = True
            kind, enum = _kind(f.name, hint)
            out.append(FieldSpec(f.name, camel(f.name), kind, optional, enum))
        cached = _SPECS[event_class] = tuple(out)
    return cached


_SPECS: dict[type, tuple[FieldSpec, ...]] = {}


# ---- parsing what callers send --------------------------------------------------------


@dataclass
class Parsed:
    fields: dict[str, Any]
    currencies: set[str]  # currencies the caller tagged amounts with
    extra: dict[str, Any]  # accepted aliases: issuedOn


def parse(event_class: type, data: Mapping[str, Any], omittable: frozenset[str]) -> Parsed:
    """Turn a caller's `data` into event fields; `omittable` fields may be left out."""
    if not isinstance(data, Mapping):
        raise InvalidInput("data must be an object of the event's fields")
    known = {s.camel: s for s in specs(event_class)}
    parsed = Parsed({}, set(), {})
    for key, value in data.items():
        if key == "currency" and any(s.kind == "money" for s in known.values()):
            parsed.currencies.add(_currency(value, "currency"))
        elif key == "issuedOn" and "dueOn" in known and event_class.__name__ == "InvoiceIssued":
            parsed.extra["issuedOn"] = parse_date(value, "issuedOn")
        elif key not in known:
            raise InvalidInput(f"{event_class.__name__} has no field {key!r}; its fields are "
                               f"{', '.join(known)}")
    for spec in known.values():
        value = data.get(spec.camel)
        if value is None:
            if not spec.optional and spec.name not in omittable:
                raise InvalidInput(f"{event_class.__name__} needs {spec.camel}")
            parsed.fields[spec.name] = None
            continue
        parsed.fields[spec.name] = _parse_value(spec, value, parsed.currencies)
    return parsed


def _parse_value(spec: FieldSpec, value: Any, currencies: set[str]) -> Any:
    name = spec.camel
    match spec.kind:
        case "ref":
            return parse_ref(value, name)
        case "refs":
            if not isinstance(value, list | tuple):
                raise InvalidInput(f"{name} must be a list of ids")
            return tuple(parse_ref(v, name) for v in value)
        case "text":
            return _text(value, name, TEXT_LIMITS.get(spec.name, TEXT_LIMIT),
                         free=spec.name not in ONE_LINE)
        case "currency":
            return _currency(value, name)
        case "timezone":
            return _timezone(value, name)
        case "money":
            return _money(value, name, currencies)
        case "date":
            return parse_date(value, name)
        case "bool":
            if not isinstance(value, bool):
                raise InvalidInput(f"{name} must be true or false (got {value!r})")
            return value
        case "int":
            low, high = BOUNDS[spec.name]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidInput(f"{name} must be a whole number from {low} to {high} "
                                   f"(got {value!r})")
            return value
        case "enum":
            assert spec.enum is not None
            try:
                return spec.enum(value)
            except ValueError:
                raise InvalidInput(f"{name} must be one of "
                                   f"{', '.join(m.value for m in spec.enum)} (got {value!r})"
                                   ) from None
        case "instalments":
            if not isinstance(value, list | tuple):
                raise InvalidInput(f"{name} must be a list of {{dueOn, amount}}")
            out = []
            for i, item in enumerate(value):
                if not isinstance(item, Mapping) or set(item) != {"dueOn", "amount"}:
                    raise InvalidInput(f"{name}[{i}] must be {{\"dueOn\", \"amount\"}}")
                out.append(Instalment(parse_date(item["dueOn"], f"{name}[{i}].dueOn"),
                                      _money(item["amount"], f"{name}[{i}].amount", currencies)))
            return tuple(out)
    raise AssertionError(spec.kind)  # pragma: no cover


def _text(value: Any, name: str, limit: int, free: bool) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text")
    check_text(value, name, free)
    if not value.strip():
        raise InvalidInput(f"{name} must not be blank")
    if len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters")
    return value


def _currency(value: Any, name: str) -> str:
    if not isinstance(value, str) or value not in CURRENCIES:
        raise InvalidInput(f"{name} must be an ISO 4217 currency code such as EUR "
                           f"(got {value!r})")
    return value


def _timezone(value: Any, name: str) -> str:
    if not isinstance(value, str) or value not in iana_zones():
        raise InvalidInput(f"{name} must be an IANA time zone such as Europe/Madrid "
                           f"(got {value!r:.80})")
    return value


@cache
def iana_zones() -> frozenset[str]:
    """The names of the IANA time zone database (the `tzdata` package's list, so that
    files of the host such as "localtime" are not names)."""
    return frozenset(resources.files("tzdata").joinpath("zones").read_text().split())


def _money(value: Any, name: str, currencies: set[str]) -> Decimal:
    """An amount, optionally tagged with its currency: "12.50", "12.50 EUR" or "EUR 12.50"."""
    if isinstance(value, str):
        match = _CURRENCY_TAG.fullmatch(value)
        if match and (match.group(1) or match.group(3)):
            if match.group(1) and match.group(3):
                raise InvalidInput(f"{name} names two currencies: {value!r}")
            currencies.add(_currency(match.group(1) or match.group(3), f"{name}'s currency"))
            value = match.group(2)
    return parse_money(value, name)


# ---- writing back out -----------------------------------------------------------------


def plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if isinstance(value, Instalment):
        return {"dueOn": value.due_on.isoformat(), "amount": str(value.amount)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def to_data(event: object) -> dict[str, Any]:
    """The event's own fields in camelCase, JSON-ready; absent optional fields left out."""
    out = {}
    for spec in specs(type(event)):
        value = getattr(event, spec.name)
        if value is not None:
            out[spec.camel] = plain(value)
    return out


def to_state(event: object) -> dict[str, Any]:
    """The stored form of an event: every field but id and version, plain JSON."""
    state = dict(vars(event))
    del state["originator_id"], state["originator_version"]
    for name in _typed_fields(type(event)):
        value = state[name]
        if value is not None:
            state[name] = plain(value)
    return state


def _typed_fields(event_class: type) -> list[str]:
    """The fields whose values JSON cannot hold as they are."""
    found = _TYPED.get(event_class)
    if found is None:
        found = _TYPED[event_class] = ["timestamp", "occurred_on"] + [
            s.name for s in specs(event_class)
            if s.kind in ("money", "date", "enum", "refs", "instalments")]
    return found


_TYPED: dict[type, list[str]] = {}


_DECODERS: dict[type, list[tuple[str, Callable[[Any], Any]]]] = {}


def from_state(event_class: type, state: dict[str, Any]) -> dict[str, Any]:
    """Undo `to_state`: typed values back in place (the dict is changed and returned)."""
    decoders = _DECODERS.get(event_class)
    if decoders is None:
        decoders = _DECODERS[event_class] = _decoders(event_class)
    for name, decode in decoders:
        value = state.get(name)
        if value is not None:
            state[name] = decode(value)
    return state


def _decoders(event_class: type) -> list[tuple[str, Callable[[Any], Any]]]:
    out: list[tuple[str, Callable[[Any], Any]]] = [
        ("timestamp", datetime.fromisoformat), ("occurred_on", date.fromisoformat),
    ]
    for spec in specs(event_class):
        if spec.kind == "money":
            out.append((spec.name, Decimal))
        elif spec.kind == "date":
            out.append((spec.name, date.fromisoformat))
        elif spec.kind == "enum":
            assert spec.enum is not None
            out.append((spec.name, spec.enum._value2member_map_.__getitem__))
        elif spec.kind == "refs":
            out.append((spec.name, tuple))
        elif spec.kind == "instalments":
            out.append((spec.name, lambda items: tuple(
                Instalment(date.fromisoformat(i["dueOn"]), Decimal(i["amount"])) for i in items)))
    return out

"""The fields of each event, read once from the event classes' type hints.

An event's own fields are those a caller sends in `data` (the metadata every
event has — client, date, actor, idempotency key, fingerprint — is set by the
ledger).  Each is described by its name, its camelCase name and its kind; the
input models (`domain.inputs`), the stored form (`domain.mapper`) and the
exported `data` (`to_data`) are all derived from these descriptions.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
from types import NoneType, UnionType
from typing import Any, Literal

from domain.values import Instalment, camel, to_json

#: fields every event has, set by the ledger rather than sent in `data`
BASE_FIELDS = frozenset({
    "originator_id", "originator_version", "timestamp", "originator_topic",
    "client_ref", "occurred_on", "actor", "idempotency_key", "request_digest",
})

Kind = Literal["ref", "refs", "text", "currency", "timezone", "money", "date", "int", "bool",
               "enum", "instalments"]


@dataclass(frozen=True)
class FieldSpec:
    """One of an event's own fields."""

    name: str
    camel: str
    kind: Kind
    optional: bool
    enum: type[Enum] | None = None


def _kind(name: str, hint: Any) -> tuple[Kind, type[Enum] | None]:
    if isinstance(hint, type) and issubclass(hint, Enum):
        return "enum", hint
    if hint is str:
        if name.endswith("_id"):
            return "ref", None
        if name == "currency":
            return "currency", None
        return ("timezone" if name == "timezone" else "text"), None
    simple: dict[Any, Kind] = {Decimal: "money", date: "date", bool: "bool", int: "int"}
    if hint in simple:
        return simple[hint], None
    if typing.get_origin(hint) is Sequence:
        (item,) = typing.get_args(hint)
        return ("instalments" if item is Instalment else "refs"), None
    raise TypeError(f"no description for field {name}: {hint!r}")  # pragma: no cover


@cache
def specs(event_class: type) -> tuple[FieldSpec, ...]:
    """The event's own fields, in declaration order."""
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
    return tuple(out)


def to_data(event: Any) -> dict[str, Any]:
    """The event's own fields in camelCase, JSON-ready; absent optional fields left out."""
    out = {}
    for spec in specs(event.__class__):
        value = getattr(event, spec.name)
        if value is not None:
            out[spec.camel] = to_json(value)
    return out

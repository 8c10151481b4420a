"""How events are stored: plain, readable JSON with snake_case keys.

The library's default mapper wraps dates, enums and decimals in type tags; this
one writes them as ISO dates, enum values and decimal strings (an auditor can
read a row as it is) and restores their types from the event class on the way
back.  Compression and encryption configured for the library still apply.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, cast
from uuid import UUID

import msgspec
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

from domain.fields import specs
from domain.values import Instalment, to_json

#: compact JSON in UTF-8: msgspec writes the bytes the standard library's
#: `JSONEncoder(separators=(",", ":"), ensure_ascii=False)` writes, five times faster
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


class EventMapper(Mapper[UUID]):
    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        cls = type(domain_event)
        state = to_state(domain_event)
        class_version = getattr(cls, "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        data = _encoder.encode(state)
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=get_topic(cls),
            state=data,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        cls = resolve_topic(stored_event.topic)
        data = stored_event.state
        try:
            if self.cipher:
                data = self.cipher.decrypt(data)
            if self.compressor:
                data = self.compressor.decompress(data)
            state: dict[str, Any] = _decoded(data)
            from_version = state.pop("class_version", 1)
            while from_version < getattr(cls, "class_version", 1):
                getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
                from_version += 1
            from_state(cls, state)
        except Exception as error:
            raise MapperDeserialisationError(
                f"cannot read stored event {stored_event.originator_id} "
                f"v{stored_event.originator_version} ({stored_event.topic}): {error}"
            ) from error
        originator_id = stored_event.originator_id
        state["originator_id"] = (
            originator_id if isinstance(originator_id, UUID) else UUID(originator_id)
        )
        state["originator_version"] = stored_event.originator_version
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return cast("DomainEventProtocol[UUID]", event)  # a string: no generic made an event


def _decoded(data: bytes) -> Any:
    """JSON read by msgspec, or by the standard library where msgspec refuses what it
    accepts (an escaped lone surrogate, a number beyond a float's range)."""
    try:
        return _decoder.decode(data)
    except msgspec.DecodeError:
        return json.loads(data.decode("utf8"))


def to_state(event: Any) -> dict[str, Any]:
    """The stored form of an event: every field but id and version, plain JSON."""
    state = dict(vars(event))
    del state["originator_id"], state["originator_version"]
    for name in _typed_fields(event.__class__):
        value = state[name]
        if value is not None:
            state[name] = to_json(value)
    return state


@cache
def _typed_fields(event_class: type) -> list[str]:
    """The fields whose values JSON cannot hold as they are."""
    return ["timestamp", "occurred_on"] + [
        s.name for s in specs(event_class)
        if s.kind in ("money", "date", "enum", "refs", "instalments")]


def from_state(event_class: type, state: dict[str, Any]) -> dict[str, Any]:
    """Undo `to_state`: typed values back in place (the dict is changed and returned)."""
    for name, decode in _decoders(event_class):
        value = state.get(name)
        if value is not None:
            state[name] = decode(value)
    return state


def _instalments(items: list[dict[str, str]]) -> tuple[Instalment, ...]:
    return tuple(Instalment(date.fromisoformat(i["dueOn"]), Decimal(i["amount"]))
                 for i in items)


@cache
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
            out.append((spec.name, _instalments))
    return out

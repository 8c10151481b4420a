"""Revealing: the personal fields of what a reader asked for, opened on the way out.

The ledger, the projection worker and the read models work on events and states as
stored, personal fields sealed in their envelopes (`domain.envelopes`); only what is
handed to a reader is opened, with an `Opener` made for that read.  `reveal_event`
opens one event (personal fields of a forgotten client become None); `reveal` opens
every envelope found in a read model's objects (dataclasses, lists, tuples and other
sequences, dicts), on copies, and leaves the originals — which caches may hold — sealed.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

from domain.envelopes import PERSONAL_FIELDS, is_envelope, is_erased
from domain.fields import specs
from domain.keyring import Opener

T = TypeVar("T")


def personal_fields(event_class: type) -> list[str]:
    """The event's own fields that may hold personal data (SPEC §1)."""
    return [s.name for s in specs(event_class)
            if s.kind == "text" and s.name in PERSONAL_FIELDS]


def reveal_event(event: T, opener: Opener) -> tuple[T, frozenset[str]]:
    """A copy of the event with its personal fields opened, and those that were erased
    (None in their place)."""
    names = [n for n in personal_fields(type(event)) if getattr(event, n) is not None]
    if not names:
        return event, frozenset()
    stream: UUID = getattr(event, "originator_id")  # noqa: B009 (a library attribute)
    opened = copy.copy(event)
    erased = set()
    for name in names:
        value = opener.open(stream, name, getattr(event, name))
        if is_erased(value):
            erased.add(name)
        object.__setattr__(opened, name, None if is_erased(value) else value)
    return opened, frozenset(erased)


def reveal(value: T, opener: Opener, stream: UUID) -> T:
    """A copy of a read model's object with every envelope in it opened (ERASED for a
    forgotten client); parts without an envelope are shared, not copied."""
    revealed: T = _reveal(value, opener, stream)
    return revealed


#: values that hold no envelope, returned as they are without a look inside
_PLAIN = (int, float, bool, Decimal, date, Enum, type(None))


_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(kind: type) -> tuple[str, ...] | None:
    """The fields of a dataclass type (None: not a dataclass), worked out once a type."""
    if kind not in _NAMES:
        _NAMES[kind] = (tuple(f.name for f in dataclasses.fields(kind))
                        if dataclasses.is_dataclass(kind) else None)
    return _NAMES[kind]


def _reveal(value: Any, opener: Opener, stream: UUID) -> Any:
    if isinstance(value, str):
        return opener.open(stream, None, value) if is_envelope(value) else value
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, list):
        items = [_reveal(v, opener, stream) for v in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        items = [_reveal(v, opener, stream) for v in value]
        return (tuple(items) if any(a is not b for a, b in zip(items, value, strict=True))
                else value)
    if isinstance(value, Sequence) and not isinstance(value, bytes):  # read as a tuple
        return _reveal(tuple(value), opener, stream)
    if isinstance(value, dict):
        changed = {k: _reveal(v, opener, stream) for k, v in value.items()}
        return (changed if any(changed[k] is not value[k] for k in value) else value)
    names = _field_names(type(value))
    if names is None:
        return value
    opened = {}
    for name in names:
        item = getattr(value, name)
        revealed = _reveal(item, opener, stream)
        if revealed is not item:
            opened[name] = revealed
    if not opened:
        return value
    out = copy.copy(value)
    for name, item in opened.items():
        object.__setattr__(out, name, item)
    return out

"""Revealing: the personal fields of what a reader asked for, opened on the way out.

The ledger, the projection worker and the read models work on events and states as
stored, personal fields sealed in their envelopes (`domain.envelopes`); only what is
handed to a reader is opened, with an `Opener` made for that read.  `reveal_event`
opens one event (personal fields of a forgotten client become None); `reveal` opens
every envelope found in a read model's objects (dataclasses, lists, tuples, dicts),
on copies, and leaves the originals — which caches may hold — sealed.
"""

from __future__ import annotations

import copy
import dataclasses
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


def _reveal(value: Any, opener: Opener, stream: UUID) -> Any:
    if isinstance(value, str):
        return opener.open(stream, None, value) if is_envelope(value) else value
    if isinstance(value, list):
        items = [_reveal(v, opener, stream) for v in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        items = [_reveal(v, opener, stream) for v in value]
        return (tuple(items) if any(a is not b for a, b in zip(items, value, strict=True))
                else value)
    if isinstance(value, dict):
        changed = {k: _reveal(v, opener, stream) for k, v in value.items()}
        return (changed if any(changed[k] is not value[k] for k in value) else value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        opened = {f.name: _reveal(getattr(value, f.name), opener, stream)
                  for f in dataclasses.fields(value)}
        if all(opened[f] is getattr(value, f) for f in opened):
            return value
        out = copy.copy(value)
        for name, item in opened.items():
            object.__setattr__(out, name, item)
        return out
    return value

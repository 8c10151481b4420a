"""Reading the arguments resolvers share: optional ones, page sizes, event cursors and
event types."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

import strawberry
from strawberry.types.unset import UnsetType

from api.graphql.context import Context
from domain.errors import InvalidInput
from domain.relationship import EVENT_TYPES

T = TypeVar("T")
Info = strawberry.Info[Context, None]
_POSITION = re.compile(r"\d{1,18}")


def given(value: T | UnsetType | None) -> T | None:
    """An optional argument's value; None when it was left out or null."""
    return None if value is None or isinstance(value, UnsetType) else value


def page_size(first: int | None, default: int, info: Info) -> int:
    """`first` checked against the largest page the settings allow."""
    most = info.context.services.settings.max_first
    size = default if first is None else first
    if not 1 <= size <= most:
        raise InvalidInput(f"first must be from 1 to {most} (got {size})")
    return size


def position_after(after: str | None) -> int | None:
    """An event cursor: the position of the last event seen."""
    if after is None:
        return None
    if not _POSITION.fullmatch(after):
        raise InvalidInput(f"after must be a cursor of this list, the position of an event "
                           f"(got {after!r})")
    return int(after)


def event_types(types: Sequence[str] | None) -> tuple[str, ...]:
    """Event type names, each one the ledger knows."""
    unknown = sorted(set(types or ()) - set(EVENT_TYPES))
    if unknown:
        raise InvalidInput(f"unknown event type(s) {', '.join(map(repr, unknown))}; the types "
                           f"are {', '.join(EVENT_TYPES)}")
    return tuple(types or ())

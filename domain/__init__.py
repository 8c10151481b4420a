"""Palabra's domain: the per-client ledger, its rules and its figures' engine.

Layers, each importing only those above it:

- `values`, `errors`: value types (with `to_json`, the one JSON conversion) and
  typed refusals;
- `relationship`: the aggregate and its events; `standing`: what the ledger knows
  of a client (folded by event class); `rules`: may an event be added (one rule per
  event class); `accounts`, `promises`: the allocation engine and payment promises;
  `client`: a client's stream and standing kept in step;
- `fields`, `checks`, `inputs`, `entries`: an event's fields, the strict check of
  each value type, the input models that parse what callers send, and entries
  (checked, defaulted, fingerprinted);
- `event_store`: the store protocol the ledger needs, and an in-memory one;
  `mapper`: the stored form; `stream_cache`: clients kept in memory;
- `ledger`: the `Ledger` use cases; `history`: reading it back; `jsonlines`: the
  import/export format; `schema`: its JSON Schema; `retrying`: the one retry
  mechanism.
"""

from domain.client import Client
from domain.entries import Entry
from domain.errors import (
    ERROR_CODES,
    CurrencyMismatch,
    DuplicateId,
    FutureDate,
    IdempotencyConflict,
    InvalidInput,
    InvalidState,
    LedgerError,
    Unavailable,
    UnknownClient,
    UnknownEntity,
    VersionConflict,
)
from domain.event_store import EventStore, InMemoryEventStore
from domain.history import Recorded
from domain.ledger import Appended, Clock, Ledger, utc_now
from domain.relationship import EVENT_TYPES, Relationship
from domain.retrying import exponential, retrying, steady
from domain.standing import Standing
from domain.values import camel, check_text, stream_id, to_json

__all__ = [
    "ERROR_CODES",
    "EVENT_TYPES",
    "Appended",
    "Client",
    "Clock",
    "CurrencyMismatch",
    "DuplicateId",
    "Entry",
    "EventStore",
    "FutureDate",
    "IdempotencyConflict",
    "InMemoryEventStore",
    "InvalidInput",
    "InvalidState",
    "Ledger",
    "LedgerError",
    "Recorded",
    "Relationship",
    "Standing",
    "Unavailable",
    "UnknownClient",
    "UnknownEntity",
    "VersionConflict",
    "camel",
    "check_text",
    "exponential",
    "retrying",
    "steady",
    "stream_id",
    "to_json",
    "utc_now",
]

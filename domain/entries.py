"""Entries: one event to append, as a caller sends it, and what the ledger makes of it.

`prepare(entry, today)` checks everything that does not depend on the client's
history — the event type, the client reference, the `data` (parsed by the
models of `domain.inputs`), the business date, the idempotency key, the actor,
the expected version — and fingerprints the request, so that a replay with the
same idempotency key is recognised and one with another payload refused.
`fill_defaults` then completes the fields the caller may leave out, from the
client's standing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import uuid4

from domain.checks import parse_date, parse_ref
from domain.envelopes import ERASED_MARK
from domain.errors import FutureDate, InvalidInput, LedgerError
from domain.inputs import Parsed, parse
from domain.relationship import EVENT_TYPES, Relationship
from domain.revealing import personal_fields
from domain.standing import Standing
from domain.values import Basis, Direction, camel, check_text, days, to_json

ID_PREFIX = {"promise_id": "P", "expectation_id": "E", "invoice_id": "INV", "plan_id": "PL",
             "payment_id": "PAY", "contact_id": "K", "complaint_id": "C", "request_id": "R",
             "advice_id": "A"}
#: what an onboarding gets when it does not say
DEFAULT_PAYMENT_TERMS_DAYS = 30
DEFAULT_CONTACT_CAP = 3


@dataclass(frozen=True)
class Entry:
    """One event to append, as a caller sends it (an import line, a GraphQL item)."""

    type: str
    client_ref: str
    data: Mapping[str, Any]
    occurred_on: date | str | None = None
    idempotency_key: str | None = None
    expected_version: int | None = None
    actor: str | None = None
    #: an import line of a forgotten client: its personal fields given as null were erased
    erased: bool = False


@dataclass
class Prepared:
    """An entry checked on its own: its event class, fields, business date and fingerprint."""

    entry: Entry
    cls: type[Relationship.Event]
    parsed: Parsed
    occurred_on: date
    digest: str


def prepare(entry: Entry, today: date) -> Prepared:
    """Check an entry on its own (not against the client's history)."""
    cls = EVENT_TYPES.get(entry.type) if isinstance(entry.type, str) else None
    if cls is None:
        raise InvalidInput(f"unknown event type {entry.type!r:.80}; the types are "
                           f"{', '.join(EVENT_TYPES)}")
    parse_ref(entry.client_ref, "clientRef")
    parsed = _parse_erased(cls, entry.data) if entry.erased else parse(cls, entry.data)
    occurred_on = _occurred_on(entry, parsed, today)
    if isinstance(entry.idempotency_key, str):
        check_text(entry.idempotency_key, "idempotencyKey")
    if entry.idempotency_key is not None and (
            not isinstance(entry.idempotency_key, str)
            or not 0 < len(entry.idempotency_key) <= 200
            or not entry.idempotency_key.isprintable()):
        raise InvalidInput("idempotencyKey must be 1 to 200 printable characters")
    if entry.actor is not None and (not isinstance(entry.actor, str)
                                    or not 0 < len(entry.actor) <= 200):
        raise InvalidInput("actor must be text of at most 200 characters")
    if entry.actor is not None:
        check_text(entry.actor, "actor")
    if entry.expected_version is not None and (
            isinstance(entry.expected_version, bool)
            or not isinstance(entry.expected_version, int)
            or not 0 <= entry.expected_version < 2**62):
        raise InvalidInput("expectedVersion must be a whole number, 0 or more")
    return Prepared(entry, cls, parsed, occurred_on, fingerprint(entry, parsed))


def _parse_erased(cls: type[Relationship.Event], data: Mapping[str, Any]) -> Parsed:
    """The data of an erased line: a personal field given as null holds `ERASED_MARK` (it
    had a value, now gone); every other field is checked as usual."""
    if not isinstance(data, Mapping):
        raise InvalidInput("data must be an object of the event's fields")
    erased = [n for n in personal_fields(cls) if camel(n) in data and data[camel(n)] is None]
    parsed = parse(cls, {**data, **{camel(n): "erased" for n in erased}})
    parsed.fields.update(dict.fromkeys(erased, ERASED_MARK))
    return parsed


def _occurred_on(entry: Entry, parsed: Parsed, today: date) -> date:
    occurred_on = (parse_date(entry.occurred_on, "occurredOn")
                   if entry.occurred_on is not None else None)
    issued_on = parsed.extra.get("issuedOn")
    if issued_on is not None:
        if occurred_on is not None and occurred_on != issued_on:
            raise InvalidInput("issuedOn is the invoice's occurredOn; they differ")
        occurred_on = issued_on
    occurred_on = occurred_on or today
    if occurred_on > today + days(1):
        raise FutureDate(f"occurredOn {occurred_on} is more than one day in the future "
                         f"(today is {today})")
    return occurred_on


def fingerprint(entry: Entry, parsed: Parsed) -> str:
    """What a caller sent, in a canonical form, hashed: the request digest."""
    canonical = [
        {k: to_json(v) for k, v in sorted(parsed.fields.items()) if v is not None},
        sorted(parsed.currencies), {k: to_json(v) for k, v in parsed.extra.items()},
    ]
    return hashlib.sha256(json.dumps(
        [entry.type, entry.client_ref, str(entry.occurred_on) if entry.occurred_on else None,
         canonical], sort_keys=True).encode()).hexdigest()


def fill_defaults(cls: type[Relationship.Event], fields: dict[str, Any],
                  standing: Standing | None, occurred_on: date) -> None:
    """Complete the fields the caller left out (`standing`: None for an onboarding).

    An invoice's missing due date is not filled in: it is derived from the payment terms
    wherever the stream is folded (`domain.terms`), so that it follows retractions."""
    if cls.CREATES and cls.ENTITY and fields[cls.ENTITY] is None:
        fields[cls.ENTITY] = f"{ID_PREFIX[cls.ENTITY]}-{uuid4().hex[:12]}"
    if cls is Relationship.ClientOnboarded:
        fields["payment_terms_days"] = _default(fields["payment_terms_days"],
                                                DEFAULT_PAYMENT_TERMS_DAYS)
        fields["contact_cap"] = _default(fields["contact_cap"], DEFAULT_CONTACT_CAP)
    elif cls is Relationship.ExpectationRecorded:
        fields["basis"] = _default(fields["basis"], Basis.STATED)
    elif cls is Relationship.ContactLogged:
        fields["answered"] = _default(fields["answered"],
                                      fields["direction"] is Direction.INBOUND)


def _default(value: Any, default: Any) -> Any:
    return default if value is None else value


@contextmanager
def numbered(n: int | None) -> Iterator[None]:
    """Say which item of a batch was refused."""
    try:
        yield
    except LedgerError as error:
        if n is None:
            raise
        raise type(error)(error.reason, item=n, figures=error.figures) from None

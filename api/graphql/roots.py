"""The three root types of the schema: every query, mutation and subscription of the
contract, in the contract's order, each with the access it needs and resolved by its
feature's module (client, portfolio, contact policy, audit, writes)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import strawberry

from api.graphql import audit, writes
from api.graphql import client as one_client
from api.graphql import contact_policy as policy
from api.graphql import portfolio as across
from api.graphql.contact_policy import ContactPolicy
from api.graphql.permissions import CanAudit, CanRead, CanWrite, needs
from api.graphql.portfolio import Portfolio
from api.graphql.writes import Appended
from domain.ledger import Appended as Written


@strawberry.type
class Query:
    client = strawberry.field(
        resolver=one_client.client, extensions=needs(CanRead),
        description="A client's figures as of a date (default today), as known at a moment "
                    "(default now); null for an unknown client.")
    clients = strawberry.field(
        resolver=one_client.clients, extensions=needs(CanRead),
        description="Clients sorted and filtered, a page at a time (keyset cursors).")
    portfolio = strawberry.field(
        resolver=across.portfolio, graphql_type=Portfolio, extensions=needs(CanRead),
        description="Counts, totals and signals across clients as of a date.")
    history = strawberry.field(
        resolver=audit.history, extensions=needs(CanAudit),
        description="A client's events in stream order, retractions marked.")
    events = strawberry.field(
        resolver=audit.events, extensions=needs(CanAudit),
        description="Every client's events in global order, after a position.")
    contact_allowed = strawberry.field(
        resolver=policy.contact_allowed, graphql_type=ContactPolicy,
        extensions=needs(CanRead),
        description="Whether one more collection contact is allowed on a date.")


def _shortcut(resolver: Callable[..., Coroutine[Any, Any, Written]],
              description: str) -> Written:
    """A mutation appending one event of a common kind."""
    field: Written = strawberry.mutation(resolver=resolver, graphql_type=Appended,
                                         extensions=needs(CanWrite), description=description)
    return field


@strawberry.type
class Mutation:
    append = strawberry.mutation(
        resolver=writes.append, extensions=needs(CanWrite),
        description="Append a batch of events for one or many clients, all-or-nothing.")
    onboard_client = _shortcut(writes.onboard_client, "Onboard a client.")
    make_promise = _shortcut(writes.make_promise, "Record a promise.")
    keep_promise = _shortcut(writes.keep_promise, "Record a promise kept.")
    break_promise = _shortcut(writes.break_promise, "Record a promise broken.")
    record_expectation = _shortcut(writes.record_expectation, "Record what a party expects.")
    issue_invoice = _shortcut(writes.issue_invoice, "Issue an invoice.")
    receive_payment = _shortcut(writes.receive_payment, "Record a payment received.")
    log_contact = _shortcut(writes.log_contact, "Record a contact that happened.")
    file_complaint = _shortcut(writes.file_complaint, "File a complaint.")
    resolve_complaint = _shortcut(
        writes.resolve_complaint,
        "Resolve a complaint: what went wrong, the correction, the prevention.")
    retract_entry = _shortcut(writes.retract_entry,
                              "Retract an entry by its version; nothing is deleted.")


@strawberry.type
class Subscription:
    events = strawberry.subscription(
        resolver=audit.live_events, graphql_type=audit.LedgerEvent, extensions=needs(CanAudit),
        description="Live ledger feed from a position (resume after a disconnect without "
                    "gaps).")
    client_updated = strawberry.subscription(
        resolver=one_client.client_updated, extensions=needs(CanRead),
        description="The client's figures each time its projection changes (first the "
                    "current ones).")

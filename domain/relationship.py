"""The per-client `Relationship` aggregate and its 30 events.

One stream per client (id `uuid5(NAMESPACE, clientRef)`).  Every event carries
the business date it happened (`occurred_on`), who recorded it (`actor`), an
optional idempotency key and the fingerprint of the request that wrote it; the
library's `timestamp` is the ledger's `recordedAt`.

Topics are explicit (`palabra:…`) and must never change: stored events name them.
The aggregate keeps the log and what retractions and idempotency keys it holds;
it decides nothing.  What the ledger knows of a client is folded from these
events by `domain.standing`, and the rules of `domain.rules` decide on new ones;
both dispatch on the event classes, and `complete()` checks at import that they
cover every one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from eventsourcing.domain import Aggregate

from domain.values import (
    Basis,
    Channel,
    ComplaintCategory,
    ContactPurpose,
    Direction,
    DisputeOutcome,
    EndReason,
    Instalment,
    Party,
    PromiseKind,
    Severity,
)


class Relationship(Aggregate, created_event_name="ClientOnboarded"):
    """The record of one client relationship."""

    TOPIC = "palabra:Relationship"

    class Event(Aggregate.Event):
        client_ref: str
        occurred_on: date
        actor: str | None
        idempotency_key: str | None
        request_digest: str | None

        #: the field naming the entity the event is about, if any
        ENTITY: ClassVar[str | None] = None
        #: whether the event brings that entity into being (its id may be generated)
        CREATES: ClassVar[bool] = False

        def apply(self, aggregate: Relationship) -> None:
            aggregate.absorb(self)

        @property
        def type(self) -> str:
            return type(self).__name__

        @property
        def recorded_at(self) -> datetime:
            return self.timestamp

        @property
        def entity_id(self) -> str | None:
            return getattr(self, self.ENTITY) if self.ENTITY else None

    class Created(Event, Aggregate.Created):
        TOPIC = "palabra:Relationship.Created"  # the library's base creation event; unused

    class ClientOnboarded(Created):
        TOPIC = "palabra:ClientOnboarded"
        name: str
        currency: str
        payment_terms_days: int
        sector: str | None
        timezone: str | None
        contact_cap: int

    class ClientProfileUpdated(Event):
        TOPIC = "palabra:ClientProfileUpdated"
        name: str | None
        sector: str | None
        timezone: str | None
        payment_terms_days: int | None
        contact_cap: int | None

    class RelationshipEnded(Event):
        TOPIC = "palabra:RelationshipEnded"
        reason: EndReason
        note: str

    class RelationshipResumed(Event):
        TOPIC = "palabra:RelationshipResumed"
        note: str

    class PromiseMade(Event):
        TOPIC = "palabra:PromiseMade"
        ENTITY, CREATES = "promise_id", True
        promise_id: str
        by: Party
        kind: PromiseKind
        description: str
        due_on: date
        amount: Decimal | None
        invoice_id: str | None

    class PromiseRenegotiated(Event):
        TOPIC = "palabra:PromiseRenegotiated"
        ENTITY = "promise_id"
        promise_id: str
        new_due_on: date
        new_amount: Decimal | None
        reason: str

    class PromiseKept(Event):
        TOPIC = "palabra:PromiseKept"
        ENTITY = "promise_id"
        promise_id: str
        amount: Decimal | None

    class PromiseBroken(Event):
        TOPIC = "palabra:PromiseBroken"
        ENTITY = "promise_id"
        promise_id: str
        reason: str

    class PromiseCancelled(Event):
        TOPIC = "palabra:PromiseCancelled"
        ENTITY = "promise_id"
        promise_id: str
        reason: str

    class ExpectationRecorded(Event):
        TOPIC = "palabra:ExpectationRecorded"
        ENTITY, CREATES = "expectation_id", True
        expectation_id: str
        held_by: Party
        kind: PromiseKind
        description: str
        expected_on: date | None
        expected_amount: Decimal | None
        basis: Basis

    class ExpectationRevised(Event):
        TOPIC = "palabra:ExpectationRevised"
        ENTITY = "expectation_id"
        expectation_id: str
        expected_on: date | None
        expected_amount: Decimal | None
        reason: str

    class ExpectationMet(Event):
        TOPIC = "palabra:ExpectationMet"
        ENTITY = "expectation_id"
        expectation_id: str
        actual_amount: Decimal | None

    class ExpectationMissed(Event):
        TOPIC = "palabra:ExpectationMissed"
        ENTITY = "expectation_id"
        expectation_id: str
        actual_amount: Decimal | None
        note: str

    class InvoiceIssued(Event):
        TOPIC = "palabra:InvoiceIssued"
        ENTITY, CREATES = "invoice_id", True
        invoice_id: str
        amount: Decimal
        due_on: date | None  # as the caller sent it: None means "by the payment terms"
        description: str

        @property
        def issued_on(self) -> date:
            return self.occurred_on

    class InvoiceDisputed(Event):
        TOPIC = "palabra:InvoiceDisputed"
        ENTITY = "invoice_id"
        invoice_id: str
        reason: str

    class InvoiceDisputeResolved(Event):
        TOPIC = "palabra:InvoiceDisputeResolved"
        ENTITY = "invoice_id"
        invoice_id: str
        outcome: DisputeOutcome
        credit_amount: Decimal | None

    class InvoiceWrittenOff(Event):
        TOPIC = "palabra:InvoiceWrittenOff"
        ENTITY = "invoice_id"
        invoice_id: str
        amount: Decimal
        reason: str

    class PaymentPlanAgreed(Event):
        TOPIC = "palabra:PaymentPlanAgreed"
        ENTITY, CREATES = "plan_id", True
        plan_id: str
        invoice_ids: Sequence[str]
        instalments: Sequence[Instalment]

    class PaymentReceived(Event):
        TOPIC = "palabra:PaymentReceived"
        ENTITY, CREATES = "payment_id", True
        payment_id: str
        amount: Decimal
        method: str | None
        invoice_id: str | None

    class PaymentReversed(Event):
        TOPIC = "palabra:PaymentReversed"
        ENTITY = "payment_id"
        payment_id: str
        reason: str

    class ContactLogged(Event):
        TOPIC = "palabra:ContactLogged"
        ENTITY, CREATES = "contact_id", True
        contact_id: str
        channel: Channel
        direction: Direction
        purpose: ContactPurpose
        summary: str
        answered: bool

    class ComplaintFiled(Event):
        TOPIC = "palabra:ComplaintFiled"
        ENTITY, CREATES = "complaint_id", True
        complaint_id: str
        raised_by: Party
        category: ComplaintCategory
        severity: Severity
        description: str
        promise_id: str | None

    class ComplaintAcknowledged(Event):
        TOPIC = "palabra:ComplaintAcknowledged"
        ENTITY = "complaint_id"
        complaint_id: str

    class ComplaintResolved(Event):
        TOPIC = "palabra:ComplaintResolved"
        ENTITY = "complaint_id"
        complaint_id: str
        what_went_wrong: str
        correction: str
        prevention: str

    class ComplaintReopened(Event):
        TOPIC = "palabra:ComplaintReopened"
        ENTITY = "complaint_id"
        complaint_id: str
        reason: str

    class ServiceRequested(Event):
        TOPIC = "palabra:ServiceRequested"
        ENTITY, CREATES = "request_id", True
        request_id: str
        description: str
        in_offering: bool

    class AdviceGiven(Event):
        TOPIC = "palabra:AdviceGiven"
        ENTITY, CREATES = "advice_id", True
        advice_id: str
        summary: str

    class AdviceAnswered(Event):
        TOPIC = "palabra:AdviceAnswered"
        ENTITY = "advice_id"
        advice_id: str
        accepted: bool
        note: str | None

    class EntryRetracted(Event):
        TOPIC = "palabra:EntryRetracted"
        version: int  # the retracted event's version
        reason: str

    class ClientForgotten(Event):
        """The client was forgotten (SPEC §8.2): its data key is destroyed; nothing follows."""

        TOPIC = "palabra:ClientForgotten"
        reason: str

    # ---- state -------------------------------------------------------------

    def __init__(self) -> None:
        self.log: list[Relationship.Event] = []
        self.retracted: set[int] = set()
        self.keys: dict[str, tuple[int, str | None]] = {}

    @property
    def client_ref(self) -> str:
        return self.log[0].client_ref

    def absorb(self, event: Relationship.Event) -> None:
        """Fold a recorded event in (runs on every replay: no decisions here)."""
        self.log.append(event)
        if event.idempotency_key:
            self.keys[event.idempotency_key] = (event.originator_version, event.request_digest)
        if isinstance(event, Relationship.EntryRetracted):
            self.retracted.add(event.version)

    def rewind(self, version: int) -> None:
        """Forget the events after `version`: applied here, but never saved."""
        del self.log[version:]
        self.pending_events.clear()
        self.version = version
        self.keys = {e.idempotency_key: (e.originator_version, e.request_digest)
                     for e in self.log if e.idempotency_key}
        self.retracted = {e.version for e in self.log
                          if isinstance(e, Relationship.EntryRetracted)}

    def effective(self, without: int | None = None) -> list[Relationship.Event]:
        """The events that count: neither retracted nor retractions themselves."""
        return [
            e for e in self.log
            if e.originator_version not in self.retracted
            and e.originator_version != without
            and not isinstance(e, Relationship.EntryRetracted)
        ]

    def next_event(self, event_class: type[Relationship.Event], timestamp: datetime,
                   **fields: Any) -> Relationship.Event:
        """The event that would come next, not yet applied (to be decided on)."""
        return event_class(originator_id=self.id, originator_version=self.version + 1,
                           timestamp=timestamp, **fields)

    def record(self, event: Relationship.Event) -> None:
        """Apply a decided event and keep it to be saved."""
        event.mutate(self)
        self.pending_events.append(event)


#: every event type, by name
EVENT_TYPES: dict[str, type[Relationship.Event]] = {
    name: cls for name, cls in vars(Relationship).items()
    if isinstance(cls, type) and issubclass(cls, Relationship.Event)
    and name not in ("Event", "Created")
}

T = TypeVar("T")


def complete(table: Mapping[type[Relationship.Event], T], what: str,
             besides: Collection[type[Relationship.Event]] = ()) -> dict[type[Any], T]:
    """A table keyed by event class, checked to cover every event type (those `besides`
    are handled elsewhere); raises TypeError, at import, when one is missing."""
    missing = set(EVENT_TYPES.values()) - set(table) - set(besides)
    if missing:
        raise TypeError(f"{what} has no entry for "
                        f"{', '.join(sorted(c.__name__ for c in missing))}")
    return dict(table)

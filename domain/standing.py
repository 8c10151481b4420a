"""What the ledger knows of a client when it decides on a new event.

`Standing` is the fold of a client's effective events in stream order (every
date included): profile, whether the relationship is active, every promise,
expectation, complaint, request and piece of advice, and the invoice accounts.
The rules (`domain.rules`) read it; nothing here refuses anything.  Each event
type is folded in by one function of `FOLDS`, keyed by its class (the onboarding
starts a standing, and a retraction replays what remains).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.accounts import Accounts
from domain.errors import InvalidState, LedgerError
from domain.promises import PaymentOutcome, resolve_payment_promise
from domain.relationship import Relationship, complete
from domain.terms import TermsChange, due_on, terms_in_force
from domain.values import EndReason, Party, PromiseKind

Event = Relationship.Event


@dataclass
class PromiseState:
    promise_id: str
    by: Party
    kind: PromiseKind
    made_on: date
    due_on: date
    amount: Decimal | None
    invoice_id: str | None
    settled: str | None = None  # KEPT, BROKEN or CANCELLED, by an explicit event


@dataclass
class ExpectationState:
    expectation_id: str
    held_by: Party
    recorded_on: date
    settled: str | None = None  # MET or MISSED


@dataclass
class ComplaintState:
    complaint_id: str
    filed_on: date
    acknowledged: bool = False
    resolved: bool = False


class Standing:
    """The client's current standing, updated event by event."""

    def __init__(self, onboarded: Relationship.ClientOnboarded) -> None:
        self.client_ref = onboarded.client_ref
        self.onboarded_on = onboarded.occurred_on
        self.name = onboarded.name
        self.currency = onboarded.currency
        self.payment_terms_days = onboarded.payment_terms_days
        self.onboarded_terms = onboarded.payment_terms_days
        self.terms_changes: list[TermsChange] = []
        self.contact_cap = onboarded.contact_cap
        self.sector = onboarded.sector
        self.timezone = onboarded.timezone
        self.active = True
        self.forgotten = False  # a ClientForgotten was recorded: nothing may follow
        self.end_reason: EndReason | None = None
        self.promises: dict[str, PromiseState] = {}
        self.expectations: dict[str, ExpectationState] = {}
        self.complaints: dict[str, ComplaintState] = {}
        self.requests: dict[str, date] = {}
        self.advice: dict[str, tuple[date, bool]] = {}  # id -> (given on, answered)
        self.contacts: dict[str, date] = {}
        self.accounts = Accounts()

    @classmethod
    def replay(
        cls,
        events: Iterable[Event],
        check: Callable[[Standing, Event], None] | None = None,
        because: str = "",
    ) -> Standing:
        """Fold events from the onboarding on; with `check`, ask the rules before each."""
        iterator = iter(events)
        standing = cls(next(iterator))  # type: ignore[arg-type]
        for event in iterator:
            if check is not None:
                try:
                    check(standing, event)
                except LedgerError as error:
                    raise InvalidState(
                        f"{because} would leave the history invalid: version "
                        f"{event.originator_version} ({type(event).__name__}) would then be "
                        f"refused: {error.reason}); retract the later entry first"
                    ) from None
            standing.apply(event)
        return standing

    def apply(self, event: Event) -> None:
        FOLDS[type(event)](self, event)

    def due_on(self, invoice: Relationship.InvoiceIssued) -> date:
        """The invoice's due date: as given, else by the terms in force when it was issued
        (`domain.terms`)."""
        terms = terms_in_force(self.onboarded_terms, self.terms_changes,
                               invoice.originator_version, invoice.occurred_on)
        return due_on(invoice.due_on, invoice.occurred_on, terms)

    def payment_outcome(self, promise: PromiseState, as_of: date) -> PaymentOutcome:
        """How a PAYMENT promise stands on a date, from the payments received so far."""
        assert promise.amount is not None
        return resolve_payment_promise(
            self.accounts.contributions(promise.made_on, promise.invoice_id),
            promise.amount, promise.due_on, as_of,
        )

    def promise_is_open(self, promise: PromiseState, on: date) -> bool:
        if promise.settled is not None:
            return False
        if promise.kind is PromiseKind.PAYMENT:
            return self.payment_outcome(promise, on).status == "OPEN"
        return True


# ---- one function per event ------------------------------------------------


def _client_profile_updated(s: Standing, e: Relationship.ClientProfileUpdated) -> None:
    for name in ("name", "sector", "timezone", "payment_terms_days", "contact_cap"):
        value: Any = getattr(e, name)
        if value is not None:
            setattr(s, name, value)
    if e.payment_terms_days is not None:
        s.terms_changes.append((e.originator_version, e.occurred_on, e.payment_terms_days))


def _relationship_ended(s: Standing, e: Relationship.RelationshipEnded) -> None:
    s.active, s.end_reason = False, e.reason


def _relationship_resumed(s: Standing, e: Relationship.RelationshipResumed) -> None:
    s.active, s.end_reason = True, None


def _client_forgotten(s: Standing, e: Relationship.ClientForgotten) -> None:
    s.forgotten = True


def _promise_made(s: Standing, e: Relationship.PromiseMade) -> None:
    s.promises[e.promise_id] = PromiseState(
        e.promise_id, e.by, e.kind, e.occurred_on, e.due_on, e.amount, e.invoice_id
    )


def _promise_renegotiated(s: Standing, e: Relationship.PromiseRenegotiated) -> None:
    promise = s.promises[e.promise_id]
    promise.due_on = e.new_due_on
    if e.new_amount is not None:
        promise.amount = e.new_amount


def _promise_kept(s: Standing, e: Relationship.PromiseKept) -> None:
    s.promises[e.promise_id].settled = "KEPT"


def _promise_broken(s: Standing, e: Relationship.PromiseBroken) -> None:
    s.promises[e.promise_id].settled = "BROKEN"


def _promise_cancelled(s: Standing, e: Relationship.PromiseCancelled) -> None:
    s.promises[e.promise_id].settled = "CANCELLED"


def _expectation_recorded(s: Standing, e: Relationship.ExpectationRecorded) -> None:
    s.expectations[e.expectation_id] = ExpectationState(
        e.expectation_id, e.held_by, e.occurred_on
    )


def _expectation_revised(s: Standing, e: Relationship.ExpectationRevised) -> None:
    pass


def _expectation_met(s: Standing, e: Relationship.ExpectationMet) -> None:
    s.expectations[e.expectation_id].settled = "MET"


def _expectation_missed(s: Standing, e: Relationship.ExpectationMissed) -> None:
    s.expectations[e.expectation_id].settled = "MISSED"


def _invoice_issued(s: Standing, e: Relationship.InvoiceIssued) -> None:
    s.accounts.issue(e.invoice_id, e.amount, e.occurred_on, s.due_on(e), e.description)


def _invoice_disputed(s: Standing, e: Relationship.InvoiceDisputed) -> None:
    s.accounts.dispute(e.invoice_id, e.occurred_on)


def _invoice_dispute_resolved(s: Standing, e: Relationship.InvoiceDisputeResolved) -> None:
    s.accounts.resolve_dispute(e.invoice_id, e.outcome, e.credit_amount, e.occurred_on)


def _invoice_written_off(s: Standing, e: Relationship.InvoiceWrittenOff) -> None:
    s.accounts.write_off(e.invoice_id, e.amount, e.occurred_on)


def _payment_plan_agreed(s: Standing, e: Relationship.PaymentPlanAgreed) -> None:
    s.accounts.agree_plan(e.plan_id, e.invoice_ids, e.instalments, e.occurred_on)


def _payment_received(s: Standing, e: Relationship.PaymentReceived) -> None:
    s.accounts.receive(e.payment_id, e.amount, e.occurred_on, e.method, e.invoice_id)


def _payment_reversed(s: Standing, e: Relationship.PaymentReversed) -> None:
    s.accounts.reverse(e.payment_id, e.occurred_on)


def _contact_logged(s: Standing, e: Relationship.ContactLogged) -> None:
    s.contacts[e.contact_id] = e.occurred_on


def _complaint_filed(s: Standing, e: Relationship.ComplaintFiled) -> None:
    s.complaints[e.complaint_id] = ComplaintState(e.complaint_id, e.occurred_on)


def _complaint_acknowledged(s: Standing, e: Relationship.ComplaintAcknowledged) -> None:
    s.complaints[e.complaint_id].acknowledged = True


def _complaint_resolved(s: Standing, e: Relationship.ComplaintResolved) -> None:
    s.complaints[e.complaint_id].resolved = True


def _complaint_reopened(s: Standing, e: Relationship.ComplaintReopened) -> None:
    complaint = s.complaints[e.complaint_id]
    complaint.resolved = complaint.acknowledged = False


def _service_requested(s: Standing, e: Relationship.ServiceRequested) -> None:
    s.requests[e.request_id] = e.occurred_on


def _advice_given(s: Standing, e: Relationship.AdviceGiven) -> None:
    s.advice[e.advice_id] = (e.occurred_on, False)


def _advice_answered(s: Standing, e: Relationship.AdviceAnswered) -> None:
    s.advice[e.advice_id] = (s.advice[e.advice_id][0], True)


FOLDS: dict[type[Any], Callable[[Standing, Any], None]] = complete({
    Relationship.ClientProfileUpdated: _client_profile_updated,
    Relationship.RelationshipEnded: _relationship_ended,
    Relationship.RelationshipResumed: _relationship_resumed,
    Relationship.PromiseMade: _promise_made,
    Relationship.PromiseRenegotiated: _promise_renegotiated,
    Relationship.PromiseKept: _promise_kept,
    Relationship.PromiseBroken: _promise_broken,
    Relationship.PromiseCancelled: _promise_cancelled,
    Relationship.ExpectationRecorded: _expectation_recorded,
    Relationship.ExpectationRevised: _expectation_revised,
    Relationship.ExpectationMet: _expectation_met,
    Relationship.ExpectationMissed: _expectation_missed,
    Relationship.InvoiceIssued: _invoice_issued,
    Relationship.InvoiceDisputed: _invoice_disputed,
    Relationship.InvoiceDisputeResolved: _invoice_dispute_resolved,
    Relationship.InvoiceWrittenOff: _invoice_written_off,
    Relationship.PaymentPlanAgreed: _payment_plan_agreed,
    Relationship.PaymentReceived: _payment_received,
    Relationship.PaymentReversed: _payment_reversed,
    Relationship.ContactLogged: _contact_logged,
    Relationship.ComplaintFiled: _complaint_filed,
    Relationship.ComplaintAcknowledged: _complaint_acknowledged,
    Relationship.ComplaintResolved: _complaint_resolved,
    Relationship.ComplaintReopened: _complaint_reopened,
    Relationship.ServiceRequested: _service_requested,
    Relationship.AdviceGiven: _advice_given,
    Relationship.AdviceAnswered: _advice_answered,
    Relationship.ClientForgotten: _client_forgotten,
}, "the fold of a standing",
   besides=(Relationship.ClientOnboarded, Relationship.EntryRetracted))

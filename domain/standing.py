"""What the ledger knows of a client when it decides on a new event.

`Standing` is the fold of a client's effective events in stream order (every
date included): profile, whether the relationship is active, every promise,
expectation, complaint, request and piece of advice, and the invoice accounts.
The rules (`domain.rules`) read it; nothing here refuses anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain.accounts import Accounts
from domain.errors import InvalidState, LedgerError
from domain.promises import PaymentOutcome, resolve_payment_promise
from domain.values import EndReason, Party, PromiseKind

if TYPE_CHECKING:
    from domain.relationship import Relationship

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
        self.contact_cap = onboarded.contact_cap
        self.sector = onboarded.sector
        self.timezone = onboarded.timezone
        self.active = True
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
        getattr(self, "_" + type(event).__name__)(event)

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

    # ---- one method per event --------------------------------------------

    def _ClientProfileUpdated(self, e: Relationship.ClientProfileUpdated) -> None:
        for name in ("name", "sector", "timezone", "payment_terms_days", "contact_cap"):
            value: Any = getattr(e, name)
            if value is not None:
                setattr(self, name, value)

    def _RelationshipEnded(self, e: Relationship.RelationshipEnded) -> None:
        self.active, self.end_reason = False, e.reason

    def _RelationshipResumed(self, e: Relationship.RelationshipResumed) -> None:
        self.active, self.end_reason = True, None

    def _PromiseMade(self, e: Relationship.PromiseMade) -> None:
        self.promises[e.promise_id] = PromiseState(
            e.promise_id, e.by, e.kind, e.occurred_on, e.due_on, e.amount, e.invoice_id
        )

    def _PromiseRenegotiated(self, e: Relationship.PromiseRenegotiated) -> None:
        promise = self.promises[e.promise_id]
        promise.due_on = e.new_due_on
        if e.new_amount is not None:
            promise.amount = e.new_amount

    def _PromiseKept(self, e: Relationship.PromiseKept) -> None:
        self.promises[e.promise_id].settled = "KEPT"

    def _PromiseBroken(self, e: Relationship.PromiseBroken) -> None:
        self.promises[e.promise_id].settled = "BROKEN"

    def _PromiseCancelled(self, e: Relationship.PromiseCancelled) -> None:
        self.promises[e.promise_id].settled = "CANCELLED"

    def _ExpectationRecorded(self, e: Relationship.ExpectationRecorded) -> None:
        self.expectations[e.expectation_id] = ExpectationState(
            e.expectation_id, e.held_by, e.occurred_on
        )

    def _ExpectationRevised(self, e: Relationship.ExpectationRevised) -> None:
        pass

    def _ExpectationMet(self, e: Relationship.ExpectationMet) -> None:
        self.expectations[e.expectation_id].settled = "MET"

    def _ExpectationMissed(self, e: Relationship.ExpectationMissed) -> None:
        self.expectations[e.expectation_id].settled = "MISSED"

    def _InvoiceIssued(self, e: Relationship.InvoiceIssued) -> None:
        self.accounts.issue(e.invoice_id, e.amount, e.occurred_on, e.due_on, e.description)

    def _InvoiceDisputed(self, e: Relationship.InvoiceDisputed) -> None:
        self.accounts.dispute(e.invoice_id, e.occurred_on)

    def _InvoiceDisputeResolved(self, e: Relationship.InvoiceDisputeResolved) -> None:
        self.accounts.resolve_dispute(e.invoice_id, e.outcome, e.credit_amount, e.occurred_on)

    def _InvoiceWrittenOff(self, e: Relationship.InvoiceWrittenOff) -> None:
        self.accounts.write_off(e.invoice_id, e.amount, e.occurred_on)

    def _PaymentPlanAgreed(self, e: Relationship.PaymentPlanAgreed) -> None:
        self.accounts.agree_plan(e.plan_id, e.invoice_ids, e.instalments, e.occurred_on)

    def _PaymentReceived(self, e: Relationship.PaymentReceived) -> None:
        self.accounts.receive(e.payment_id, e.amount, e.occurred_on, e.method, e.invoice_id)

    def _PaymentReversed(self, e: Relationship.PaymentReversed) -> None:
        self.accounts.reverse(e.payment_id, e.occurred_on)

    def _ContactLogged(self, e: Relationship.ContactLogged) -> None:
        self.contacts[e.contact_id] = e.occurred_on

    def _ComplaintFiled(self, e: Relationship.ComplaintFiled) -> None:
        self.complaints[e.complaint_id] = ComplaintState(e.complaint_id, e.occurred_on)

    def _ComplaintAcknowledged(self, e: Relationship.ComplaintAcknowledged) -> None:
        self.complaints[e.complaint_id].acknowledged = True

    def _ComplaintResolved(self, e: Relationship.ComplaintResolved) -> None:
        self.complaints[e.complaint_id].resolved = True

    def _ComplaintReopened(self, e: Relationship.ComplaintReopened) -> None:
        complaint = self.complaints[e.complaint_id]
        complaint.resolved = complaint.acknowledged = False

    def _ServiceRequested(self, e: Relationship.ServiceRequested) -> None:
        self.requests[e.request_id] = e.occurred_on

    def _AdviceGiven(self, e: Relationship.AdviceGiven) -> None:
        self.advice[e.advice_id] = (e.occurred_on, False)

    def _AdviceAnswered(self, e: Relationship.AdviceAnswered) -> None:
        self.advice[e.advice_id] = (self.advice[e.advice_id][0], True)

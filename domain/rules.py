"""The ledger's rules: may this event be added to this client's history?

`check(standing, event)` raises a typed `LedgerError` with a plain message, or
returns.  It looks only at the client's standing and the event itself (never at
the clock), so the same rules re-check what remains after a retraction.  Each
event type has its rule in `RULES`, keyed by its class (an onboarding is checked
by the ledger, which knows whether the client exists; a retraction by
`check_retraction`, which needs the whole log).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from domain.accounts import InvoiceAccount
from domain.envelopes import is_envelope
from domain.errors import DuplicateId, InvalidInput, InvalidState, UnknownEntity
from domain.relationship import Relationship, complete
from domain.revealing import personal_fields
from domain.standing import ComplaintState, ExpectationState, PromiseState, Standing
from domain.values import ZERO, ContactPurpose, Direction, DisputeOutcome, Party, PromiseKind


def check(standing: Standing, event: Relationship.Event) -> None:
    """Refuse the event if it breaks a rule, given the client's standing."""
    refuse_if_forgotten(standing)
    RULES[type(event)](standing, event)


def refuse_if_forgotten(standing: Standing) -> None:
    """Nothing may follow a ClientForgotten, not even a retraction (SPEC §8.2)."""
    if standing.forgotten:
        raise InvalidState(f"the client was forgotten: {standing.client_ref} accepts no "
                           "further event")


def check_forgettable(relationship: Relationship) -> None:
    """A client whose stream holds personal fields written before encryption cannot be
    forgotten by destroying its key: refused, naming those events (docs/erasure.md)."""
    plain = [f"version {e.originator_version} ({e.type})" for e in relationship.log
             if any(isinstance(v, str) and not is_envelope(v)
                    for v in (getattr(e, n) for n in personal_fields(type(e))))]
    if plain:
        shown = ", ".join(plain[:5]) + (f" and {len(plain) - 5} more" if len(plain) > 5
                                        else "")
        raise InvalidState(f"{relationship.client_ref} cannot be forgotten: its events "
                           f"{shown} were stored before encryption and hold personal data "
                           "in plaintext (see docs/erasure.md, old stores)")


def check_retraction(relationship: Relationship, event: Relationship.EntryRetracted) -> None:
    """A retraction is refused when its target is unknown, the onboarding, a retraction,
    already retracted, or when what remains would break a rule."""
    target = event.version
    if any(isinstance(e, Relationship.ClientForgotten) for e in relationship.log):
        raise InvalidState(f"the client was forgotten: {relationship.client_ref} accepts "
                           "no further event")
    if not 1 <= target <= relationship.version:
        raise UnknownEntity(f"version {target} does not exist in the stream of "
                            f"{relationship.client_ref} (its latest version is "
                            f"{relationship.version})")
    retracted_event = relationship.log[target - 1]
    if isinstance(retracted_event, Relationship.ClientOnboarded):
        raise InvalidState("the onboarding of a client cannot be retracted")
    if isinstance(retracted_event, Relationship.EntryRetracted):
        raise InvalidState(f"version {target} is itself a retraction and cannot be retracted")
    if target in relationship.retracted:
        raise InvalidState(f"version {target} ({retracted_event.type}) is already retracted")
    Standing.replay(relationship.effective(without=target), check=check,
                    because=f"retracting version {target} ({retracted_event.type})")


# ---- lookups that refuse ------------------------------------------------------------


def _new(existing: dict[str, Any], entity_id: str, what: str) -> None:
    if entity_id in existing:
        raise DuplicateId(f"{what} {entity_id} already exists for this client")


def _not_before(on: date, since: date, what: str) -> None:
    if on < since:
        raise InvalidInput(f"this happened on {on}, before {what} ({since})")


def _promise(s: Standing, promise_id: str, on: date) -> PromiseState:
    promise = s.promises.get(promise_id)
    if promise is None:
        raise UnknownEntity(f"there is no promise {promise_id} for this client")
    _not_before(on, promise.made_on, f"promise {promise_id} was made")
    return promise


def _open_promise(s: Standing, promise_id: str, on: date) -> PromiseState:
    promise = _promise(s, promise_id, on)
    if not s.promise_is_open(promise, on):
        status = promise.settled or s.payment_outcome(promise, on).status
        raise InvalidState(f"promise {promise_id} is no longer open (it is {status})")
    return promise


def _open_expectation(s: Standing, expectation_id: str, on: date) -> ExpectationState:
    expectation = s.expectations.get(expectation_id)
    if expectation is None:
        raise UnknownEntity(f"there is no expectation {expectation_id} for this client")
    _not_before(on, expectation.recorded_on, f"expectation {expectation_id} was recorded")
    if expectation.settled is not None:
        raise InvalidState(f"expectation {expectation_id} is no longer open "
                           f"(it is {expectation.settled})")
    return expectation


def _invoice(s: Standing, invoice_id: str, on: date) -> InvoiceAccount:
    invoice = s.accounts.invoices.get(invoice_id)
    if invoice is None:
        raise UnknownEntity(f"there is no invoice {invoice_id} for this client")
    _not_before(on, invoice.issued_on, f"invoice {invoice_id} was issued")
    return invoice


def _complaint(s: Standing, complaint_id: str, on: date) -> ComplaintState:
    complaint = s.complaints.get(complaint_id)
    if complaint is None:
        raise UnknownEntity(f"there is no complaint {complaint_id} for this client")
    _not_before(on, complaint.filed_on, f"complaint {complaint_id} was filed")
    return complaint


def _open_complaint(s: Standing, complaint_id: str, on: date) -> ComplaintState:
    complaint = _complaint(s, complaint_id, on)
    if complaint.resolved:
        raise InvalidState(f"complaint {complaint_id} is resolved; reopen it first")
    return complaint


def _active(s: Standing, what: str) -> None:
    if not s.active:
        raise InvalidState(f"the relationship with {s.client_ref} has ended "
                           f"({s.end_reason.value if s.end_reason else 'ended'}): "
                           f"no new {what}; resume it first")


# ---- one rule per event -----------------------------------------------------------


def _profile_updated(s: Standing, e: Relationship.ClientProfileUpdated) -> None:
    if all(getattr(e, f) is None for f in
           ("name", "sector", "timezone", "payment_terms_days", "contact_cap")):
        raise InvalidInput("a profile update must change at least one of name, sector, "
                           "timezone, paymentTermsDays or contactCap")


def _ended(s: Standing, e: Relationship.RelationshipEnded) -> None:
    if not s.active:
        raise InvalidState(f"the relationship with {s.client_ref} has already ended")


def _resumed(s: Standing, e: Relationship.RelationshipResumed) -> None:
    if s.active:
        raise InvalidState(f"the relationship with {s.client_ref} is active; "
                           "only an ended relationship can be resumed")


def _forgotten(s: Standing, e: Relationship.ClientForgotten) -> None:
    if s.active:
        raise InvalidState(f"the relationship with {s.client_ref} is active; end it before "
                           "forgetting the client")


def _promise_made(s: Standing, e: Relationship.PromiseMade) -> None:
    _new(s.promises, e.promise_id, "promise")
    if e.due_on < e.occurred_on:
        raise InvalidInput(f"a promise cannot fall due ({e.due_on}) before it is made "
                           f"({e.occurred_on})")
    if e.kind in (PromiseKind.PAYMENT, PromiseKind.PURCHASE) and e.amount is None:
        raise InvalidInput(f"a {e.kind.value} promise needs an amount")
    if e.kind is PromiseKind.PAYMENT and e.by is not Party.CLIENT:
        raise InvalidInput("PAYMENT promises are made by the CLIENT")
    if e.invoice_id is not None:
        if e.kind is not PromiseKind.PAYMENT:
            raise InvalidInput("only a PAYMENT promise may name an invoice")
        _invoice(s, e.invoice_id, e.occurred_on)
    if e.by is Party.VENDOR:
        _active(s, "vendor promises")


def _renegotiated(s: Standing, e: Relationship.PromiseRenegotiated) -> None:
    _open_promise(s, e.promise_id, e.occurred_on)


def _kept_or_broken(s: Standing, e: Relationship.PromiseKept | Relationship.PromiseBroken) -> None:
    promise = _promise(s, e.promise_id, e.occurred_on)
    if promise.kind is PromiseKind.PAYMENT:
        raise InvalidInput(f"promise {e.promise_id} is a PAYMENT promise: the payments "
                           "themselves keep or break it")
    _open_promise(s, e.promise_id, e.occurred_on)


def _cancelled(s: Standing, e: Relationship.PromiseCancelled) -> None:
    _open_promise(s, e.promise_id, e.occurred_on)


def _expectation_recorded(s: Standing, e: Relationship.ExpectationRecorded) -> None:
    _new(s.expectations, e.expectation_id, "expectation")
    if e.expected_on is None and e.expected_amount is None:
        raise InvalidInput("an expectation needs an expectedOn date, an expectedAmount, "
                           "or both")


def _expectation_revised(s: Standing, e: Relationship.ExpectationRevised) -> None:
    _open_expectation(s, e.expectation_id, e.occurred_on)
    if e.expected_on is None and e.expected_amount is None:
        raise InvalidInput("a revision must give a new expectedOn, expectedAmount, or both")


def _expectation_settled(
    s: Standing, e: Relationship.ExpectationMet | Relationship.ExpectationMissed
) -> None:
    _open_expectation(s, e.expectation_id, e.occurred_on)


def _invoice_issued(s: Standing, e: Relationship.InvoiceIssued) -> None:
    _new(s.accounts.invoices, e.invoice_id, "invoice")
    _active(s, "invoices")
    if e.due_on is not None and e.due_on < e.occurred_on:
        raise InvalidInput(f"an invoice cannot fall due ({e.due_on}) before it is issued "
                           f"({e.occurred_on})")


def _disputed(s: Standing, e: Relationship.InvoiceDisputed) -> None:
    invoice = _invoice(s, e.invoice_id, e.occurred_on)
    if invoice.disputed:
        raise InvalidState(f"invoice {e.invoice_id} is already disputed")
    if invoice.balance <= 0:
        raise InvalidState(f"invoice {e.invoice_id} has no open balance to dispute")


def _dispute_resolved(s: Standing, e: Relationship.InvoiceDisputeResolved) -> None:
    invoice = _invoice(s, e.invoice_id, e.occurred_on)
    if not invoice.disputed:
        raise InvalidState(f"invoice {e.invoice_id} is not disputed")
    if e.credit_amount is not None:
        if e.outcome is not DisputeOutcome.UPHELD:
            raise InvalidInput("only an UPHELD dispute can credit the client")
        _at_most_balance(invoice, e.credit_amount, "credit")


def _written_off(s: Standing, e: Relationship.InvoiceWrittenOff) -> None:
    invoice = _invoice(s, e.invoice_id, e.occurred_on)
    if invoice.balance <= 0:
        raise InvalidState(f"invoice {e.invoice_id} has no open balance to write off")
    _at_most_balance(invoice, e.amount, "write-off")


def _at_most_balance(invoice: InvoiceAccount, amount: Decimal, what: str) -> None:
    if amount > invoice.balance:
        raise InvalidInput(f"the {what} exceeds the open balance of invoice "
                           f"{invoice.invoice_id}",
                           figures=f"{what} {amount}, open balance {invoice.balance}")


def _plan_agreed(s: Standing, e: Relationship.PaymentPlanAgreed) -> None:
    _new(s.accounts.plans, e.plan_id, "payment plan")
    if not e.invoice_ids or not e.instalments:
        raise InvalidInput("a payment plan needs invoices and instalments")
    if len(set(e.invoice_ids)) != len(e.invoice_ids):
        raise InvalidInput("a payment plan names each invoice once")
    invoices = [_invoice(s, i, e.occurred_on) for i in e.invoice_ids]
    for invoice in invoices:
        if invoice.balance <= 0:
            raise InvalidState(f"invoice {invoice.invoice_id} has no open balance to plan")
    open_balance = sum((i.balance for i in invoices), ZERO)
    planned = sum((i.amount for i in e.instalments), ZERO)
    if planned != open_balance:
        raise InvalidInput(f"the instalments do not add up to the open balance of "
                           f"{', '.join(e.invoice_ids)}",
                           figures=f"instalments {planned}, open balance {open_balance}")


def _payment_received(s: Standing, e: Relationship.PaymentReceived) -> None:
    _new(s.accounts.payments, e.payment_id, "payment")
    if e.invoice_id is not None:
        _invoice(s, e.invoice_id, e.occurred_on)


def _payment_reversed(s: Standing, e: Relationship.PaymentReversed) -> None:
    payment = s.accounts.payments.get(e.payment_id)
    if payment is None:
        raise UnknownEntity(f"there is no payment {e.payment_id} for this client")
    _not_before(e.occurred_on, payment.received_on, f"payment {e.payment_id} was received")
    if payment.reversed:
        raise InvalidState(f"payment {e.payment_id} is already reversed")


def _contact_logged(s: Standing, e: Relationship.ContactLogged) -> None:
    _new(s.contacts, e.contact_id, "contact")
    if e.purpose is ContactPurpose.SALES and e.direction is Direction.OUTBOUND:
        _active(s, "sales contacts")


def _complaint_filed(s: Standing, e: Relationship.ComplaintFiled) -> None:
    _new(s.complaints, e.complaint_id, "complaint")
    if e.promise_id is not None:
        _promise(s, e.promise_id, e.occurred_on)


def _complaint_acknowledged(s: Standing, e: Relationship.ComplaintAcknowledged) -> None:
    complaint = _open_complaint(s, e.complaint_id, e.occurred_on)
    if complaint.acknowledged:
        raise InvalidState(f"complaint {e.complaint_id} is already acknowledged")


def _complaint_resolved(s: Standing, e: Relationship.ComplaintResolved) -> None:
    _open_complaint(s, e.complaint_id, e.occurred_on)
    blank = [name for name, text in (("whatWentWrong", e.what_went_wrong),
                                     ("correction", e.correction),
                                     ("prevention", e.prevention)) if not text.strip()]
    if blank:
        raise InvalidInput(f"a resolution says what went wrong, how it is corrected and how "
                           f"it will not happen again; missing: {', '.join(blank)} "
                           "(an excuse is not a resolution)")


def _complaint_reopened(s: Standing, e: Relationship.ComplaintReopened) -> None:
    complaint = _complaint(s, e.complaint_id, e.occurred_on)
    if not complaint.resolved:
        raise InvalidState(f"complaint {e.complaint_id} is still open; only a resolved "
                           "complaint can be reopened")


def _service_requested(s: Standing, e: Relationship.ServiceRequested) -> None:
    _new(s.requests, e.request_id, "service request")


def _advice_given(s: Standing, e: Relationship.AdviceGiven) -> None:
    _new(s.advice, e.advice_id, "advice")


def _advice_answered(s: Standing, e: Relationship.AdviceAnswered) -> None:
    advice = s.advice.get(e.advice_id)
    if advice is None:
        raise UnknownEntity(f"there is no advice {e.advice_id} for this client")
    _not_before(e.occurred_on, advice[0], f"advice {e.advice_id} was given")
    if advice[1]:
        raise InvalidState(f"advice {e.advice_id} has already been answered")


RULES: dict[type[Any], Callable[[Standing, Any], None]] = complete({
    Relationship.ClientProfileUpdated: _profile_updated,
    Relationship.RelationshipEnded: _ended,
    Relationship.RelationshipResumed: _resumed,
    Relationship.PromiseMade: _promise_made,
    Relationship.PromiseRenegotiated: _renegotiated,
    Relationship.PromiseKept: _kept_or_broken,
    Relationship.PromiseBroken: _kept_or_broken,
    Relationship.PromiseCancelled: _cancelled,
    Relationship.ExpectationRecorded: _expectation_recorded,
    Relationship.ExpectationRevised: _expectation_revised,
    Relationship.ExpectationMet: _expectation_settled,
    Relationship.ExpectationMissed: _expectation_settled,
    Relationship.InvoiceIssued: _invoice_issued,
    Relationship.InvoiceDisputed: _disputed,
    Relationship.InvoiceDisputeResolved: _dispute_resolved,
    Relationship.InvoiceWrittenOff: _written_off,
    Relationship.PaymentPlanAgreed: _plan_agreed,
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
    Relationship.ClientForgotten: _forgotten,
}, "the rules", besides=(Relationship.ClientOnboarded, Relationship.EntryRetracted))

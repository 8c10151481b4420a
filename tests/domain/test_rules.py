"""One test per rule of the ledger: refused with the right code, and nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from domain.entries import Entry
from domain.errors import LedgerError
from domain.ledger import Ledger
from tests.support import entry

ACME = "acme"


def e(type_: str, on: str = "2026-02-01", **data: Any) -> Entry:
    return entry(type_, ACME, on, **data)


ONBOARD = e("ClientOnboarded", "2026-01-05", name="Acme Tiles", currency="EUR")
INVOICE = e("InvoiceIssued", invoiceId="INV1", amount="1000.00", description="Setup")
PAID = e("PaymentReceived", "2026-02-10", paymentId="PAY1", amount="1000.00", invoiceId="INV1")
VENDOR_PROMISE = e("PromiseMade", promiseId="P1", by="VENDOR", kind="DELIVERY",
                   description="Deliver tiles", dueOn="2026-02-20")
PAYMENT_PROMISE = e("PromiseMade", promiseId="PTP1", by="CLIENT", kind="PAYMENT",
                    description="Pays INV1", dueOn="2026-02-15", amount="1000.00",
                    invoiceId="INV1")
EXPECTATION = e("ExpectationRecorded", expectationId="E1", heldBy="CLIENT", kind="DELIVERY",
                description="Tiles within a week", expectedOn="2026-02-08")
ENDED = e("RelationshipEnded", "2026-03-01", reason="MISTREATMENT", note="Enough")
DISPUTED = e("InvoiceDisputed", "2026-02-05", invoiceId="INV1", reason="Wrong tiles")
COMPLAINT = e("ComplaintFiled", "2026-02-02", complaintId="C1", raisedBy="CLIENT",
              category="DELAY", severity="HIGH", description="Late again")
RESOLVED = e("ComplaintResolved", "2026-02-04", complaintId="C1", whatWentWrong="A",
             correction="B", prevention="C")
ADVICE = e("AdviceGiven", adviceId="A1", summary="Use thicker tiles")

# (rule, history before, the refused entry, expected code)
CASES: list[tuple[str, list[Entry], Entry, str]] = [
    ("onboarding_is_the_first_event_and_only_once", [ONBOARD], ONBOARD, "DUPLICATE_ID"),
    ("events_need_an_onboarded_client", [], INVOICE, "UNKNOWN_CLIENT"),
    ("profile_update_needs_an_onboarded_client", [], e("ClientProfileUpdated", contactCap=2),
     "UNKNOWN_CLIENT"),
    ("profile_update_changes_something", [ONBOARD], e("ClientProfileUpdated"), "INVALID_INPUT"),
    ("relationship_ends_only_when_active", [ONBOARD, ENDED],
     e("RelationshipEnded", "2026-03-02", reason="OTHER", note="again"), "INVALID_STATE"),
    ("relationship_resumes_only_when_ended", [ONBOARD],
     e("RelationshipResumed", note="back"), "INVALID_STATE"),
    ("no_vendor_promise_after_the_end", [ONBOARD, ENDED],
     e("PromiseMade", "2026-03-02", promiseId="P9", by="VENDOR", kind="DELIVERY",
       description="x", dueOn="2026-03-09"), "INVALID_STATE"),
    ("no_invoice_after_the_end", [ONBOARD, ENDED],
     e("InvoiceIssued", "2026-03-02", invoiceId="INV9", amount="5.00", description="x"),
     "INVALID_STATE"),
    ("no_outbound_sales_contact_after_the_end", [ONBOARD, ENDED],
     e("ContactLogged", "2026-03-02", contactId="K9", channel="PHONE", direction="OUTBOUND",
       purpose="SALES", summary="pitch"), "INVALID_STATE"),
    ("promise_id_is_new", [ONBOARD, VENDOR_PROMISE], VENDOR_PROMISE, "DUPLICATE_ID"),
    ("promise_due_on_or_after_it_is_made", [ONBOARD],
     e("PromiseMade", promiseId="P1", by="VENDOR", kind="DELIVERY", description="x",
       dueOn="2026-01-31"), "INVALID_INPUT"),
    ("payment_promise_needs_an_amount", [ONBOARD],
     e("PromiseMade", promiseId="P1", by="CLIENT", kind="PAYMENT", description="x",
       dueOn="2026-02-20"), "INVALID_INPUT"),
    ("purchase_promise_needs_an_amount", [ONBOARD],
     e("PromiseMade", promiseId="P1", by="CLIENT", kind="PURCHASE", description="x",
       dueOn="2026-02-20"), "INVALID_INPUT"),
    ("payment_promise_is_made_by_the_client", [ONBOARD],
     e("PromiseMade", promiseId="P1", by="VENDOR", kind="PAYMENT", description="x",
       dueOn="2026-02-20", amount="10.00"), "INVALID_INPUT"),
    ("only_payment_promises_name_an_invoice", [ONBOARD, INVOICE],
     e("PromiseMade", promiseId="P1", by="VENDOR", kind="DELIVERY", description="x",
       dueOn="2026-02-20", invoiceId="INV1"), "INVALID_INPUT"),
    ("payment_promise_names_a_known_invoice", [ONBOARD],
     e("PromiseMade", promiseId="P1", by="CLIENT", kind="PAYMENT", description="x",
       dueOn="2026-02-20", amount="10.00", invoiceId="NOPE"), "UNKNOWN_ENTITY"),
    ("renegotiation_needs_a_known_promise", [ONBOARD],
     e("PromiseRenegotiated", promiseId="P1", newDueOn="2026-03-01", reason="later"),
     "UNKNOWN_ENTITY"),
    ("renegotiation_needs_an_open_promise", [ONBOARD, VENDOR_PROMISE,
                                              e("PromiseKept", "2026-02-03", promiseId="P1")],
     e("PromiseRenegotiated", "2026-02-04", promiseId="P1", newDueOn="2026-03-01",
       reason="later"), "INVALID_STATE"),
    ("renegotiation_of_a_broken_payment_promise_is_refused",
     [ONBOARD, INVOICE, PAYMENT_PROMISE],
     e("PromiseRenegotiated", "2026-02-16", promiseId="PTP1", newDueOn="2026-03-01",
       reason="later"), "INVALID_STATE"),
    ("payment_promises_are_not_kept_by_hand", [ONBOARD, INVOICE, PAYMENT_PROMISE],
     e("PromiseKept", "2026-02-03", promiseId="PTP1"), "INVALID_INPUT"),
    ("payment_promises_are_not_broken_by_hand", [ONBOARD, INVOICE, PAYMENT_PROMISE],
     e("PromiseBroken", "2026-02-03", promiseId="PTP1", reason="x"), "INVALID_INPUT"),
    ("a_kept_promise_cannot_be_broken", [ONBOARD, VENDOR_PROMISE,
                                          e("PromiseKept", "2026-02-03", promiseId="P1")],
     e("PromiseBroken", "2026-02-04", promiseId="P1", reason="x"), "INVALID_STATE"),
    ("a_broken_promise_cannot_be_cancelled",
     [ONBOARD, VENDOR_PROMISE, e("PromiseBroken", "2026-02-03", promiseId="P1", reason="no")],
     e("PromiseCancelled", "2026-02-04", promiseId="P1", reason="x"), "INVALID_STATE"),
    ("a_promise_is_not_settled_before_it_is_made", [ONBOARD, VENDOR_PROMISE],
     e("PromiseKept", "2026-01-20", promiseId="P1"), "INVALID_INPUT"),
    ("expectation_id_is_new", [ONBOARD, EXPECTATION], EXPECTATION, "DUPLICATE_ID"),
    ("expectation_needs_a_date_or_an_amount", [ONBOARD],
     e("ExpectationRecorded", expectationId="E1", heldBy="CLIENT", kind="DELIVERY",
       description="soon"), "INVALID_INPUT"),
    ("expectation_revision_needs_a_known_expectation", [ONBOARD],
     e("ExpectationRevised", expectationId="E1", expectedOn="2026-03-01", reason="x"),
     "UNKNOWN_ENTITY"),
    ("expectation_revision_needs_an_open_expectation",
     [ONBOARD, EXPECTATION, e("ExpectationMet", "2026-02-05", expectationId="E1")],
     e("ExpectationRevised", "2026-02-06", expectationId="E1", expectedOn="2026-03-01",
       reason="x"), "INVALID_STATE"),
    ("expectation_revision_changes_something", [ONBOARD, EXPECTATION],
     e("ExpectationRevised", expectationId="E1", reason="x"), "INVALID_INPUT"),
    ("a_met_expectation_cannot_be_missed",
     [ONBOARD, EXPECTATION, e("ExpectationMet", "2026-02-05", expectationId="E1")],
     e("ExpectationMissed", "2026-02-06", expectationId="E1", note="x"), "INVALID_STATE"),
    ("invoice_id_is_new", [ONBOARD, INVOICE], INVOICE, "DUPLICATE_ID"),
    ("invoice_due_on_or_after_issue", [ONBOARD],
     e("InvoiceIssued", invoiceId="INV1", amount="5.00", description="x", dueOn="2026-01-31"),
     "INVALID_INPUT"),
    ("dispute_needs_an_open_balance", [ONBOARD, INVOICE, PAID],
     e("InvoiceDisputed", "2026-02-11", invoiceId="INV1", reason="x"), "INVALID_STATE"),
    ("dispute_needs_a_known_invoice", [ONBOARD],
     e("InvoiceDisputed", invoiceId="INV1", reason="x"), "UNKNOWN_ENTITY"),
    ("an_invoice_is_disputed_once", [ONBOARD, INVOICE, DISPUTED],
     e("InvoiceDisputed", "2026-02-06", invoiceId="INV1", reason="x"), "INVALID_STATE"),
    ("only_a_disputed_invoice_is_resolved", [ONBOARD, INVOICE],
     e("InvoiceDisputeResolved", invoiceId="INV1", outcome="REJECTED"), "INVALID_STATE"),
    ("an_upheld_dispute_credits_at_most_the_balance", [ONBOARD, INVOICE, DISPUTED],
     e("InvoiceDisputeResolved", "2026-02-06", invoiceId="INV1", outcome="UPHELD",
       creditAmount="1000.01"), "INVALID_INPUT"),
    ("a_rejected_dispute_credits_nothing", [ONBOARD, INVOICE, DISPUTED],
     e("InvoiceDisputeResolved", "2026-02-06", invoiceId="INV1", outcome="REJECTED",
       creditAmount="10.00"), "INVALID_INPUT"),
    ("write_off_at_most_the_balance", [ONBOARD, INVOICE],
     e("InvoiceWrittenOff", invoiceId="INV1", amount="1000.01", reason="x"), "INVALID_INPUT"),
    ("write_off_needs_an_open_balance", [ONBOARD, INVOICE, PAID],
     e("InvoiceWrittenOff", "2026-02-11", invoiceId="INV1", amount="1.00", reason="x"),
     "INVALID_STATE"),
    ("plan_instalments_add_up_to_the_open_balance", [ONBOARD, INVOICE],
     e("PaymentPlanAgreed", planId="PL1", invoiceIds=["INV1"],
       instalments=[{"dueOn": "2026-03-01", "amount": "500.00"},
                    {"dueOn": "2026-04-01", "amount": "499.99"}]), "INVALID_INPUT"),
    ("plan_needs_known_invoices", [ONBOARD],
     e("PaymentPlanAgreed", planId="PL1", invoiceIds=["INV1"],
       instalments=[{"dueOn": "2026-03-01", "amount": "500.00"}]), "UNKNOWN_ENTITY"),
    ("payment_id_is_new", [ONBOARD, INVOICE, PAID], PAID, "DUPLICATE_ID"),
    ("payment_names_a_known_invoice", [ONBOARD],
     e("PaymentReceived", paymentId="PAY1", amount="5.00", invoiceId="INV1"),
     "UNKNOWN_ENTITY"),
    ("reversal_needs_a_known_payment", [ONBOARD],
     e("PaymentReversed", paymentId="PAY1", reason="bounced"), "UNKNOWN_ENTITY"),
    ("a_payment_is_reversed_once",
     [ONBOARD, INVOICE, PAID, e("PaymentReversed", "2026-02-12", paymentId="PAY1", reason="x")],
     e("PaymentReversed", "2026-02-13", paymentId="PAY1", reason="again"), "INVALID_STATE"),
    ("contact_id_is_new",
     [ONBOARD, e("ContactLogged", contactId="K1", channel="EMAIL", direction="OUTBOUND",
                 purpose="COLLECTION", summary="reminder")],
     e("ContactLogged", contactId="K1", channel="EMAIL", direction="OUTBOUND",
       purpose="COLLECTION", summary="reminder"), "DUPLICATE_ID"),
    ("complaint_id_is_new", [ONBOARD, COMPLAINT], COMPLAINT, "DUPLICATE_ID"),
    ("complaint_names_a_known_promise", [ONBOARD],
     e("ComplaintFiled", complaintId="C1", raisedBy="CLIENT", category="DELAY",
       severity="LOW", description="x", promiseId="P1"), "UNKNOWN_ENTITY"),
    ("a_complaint_is_acknowledged_once",
     [ONBOARD, COMPLAINT, e("ComplaintAcknowledged", "2026-02-03", complaintId="C1")],
     e("ComplaintAcknowledged", "2026-02-03", complaintId="C1"), "INVALID_STATE"),
    ("a_resolved_complaint_is_not_acknowledged", [ONBOARD, COMPLAINT, RESOLVED],
     e("ComplaintAcknowledged", "2026-02-05", complaintId="C1"), "INVALID_STATE"),
    ("a_resolution_is_not_an_excuse", [ONBOARD, COMPLAINT],
     e("ComplaintResolved", "2026-02-04", complaintId="C1", whatWentWrong="Bad luck",
       correction="  ", prevention="n/a"), "INVALID_INPUT"),
    ("a_resolved_complaint_is_not_resolved_again", [ONBOARD, COMPLAINT, RESOLVED], RESOLVED,
     "INVALID_STATE"),
    ("only_a_resolved_complaint_is_reopened", [ONBOARD, COMPLAINT],
     e("ComplaintReopened", "2026-02-04", complaintId="C1", reason="x"), "INVALID_STATE"),
    ("request_id_is_new",
     [ONBOARD, e("ServiceRequested", requestId="R1", description="x", inOffering=False)],
     e("ServiceRequested", requestId="R1", description="y", inOffering=True), "DUPLICATE_ID"),
    ("advice_id_is_new", [ONBOARD, ADVICE], ADVICE, "DUPLICATE_ID"),
    ("advice_answer_needs_given_advice", [ONBOARD],
     e("AdviceAnswered", adviceId="A1", accepted=True), "UNKNOWN_ENTITY"),
    ("advice_is_answered_once",
     [ONBOARD, ADVICE, e("AdviceAnswered", "2026-02-02", adviceId="A1", accepted=False)],
     e("AdviceAnswered", "2026-02-03", adviceId="A1", accepted=True), "INVALID_STATE"),
    ("retraction_names_an_existing_version", [ONBOARD],
     e("EntryRetracted", version=7, reason="x"), "UNKNOWN_ENTITY"),
    ("onboarding_is_not_retracted", [ONBOARD],
     e("EntryRetracted", version=1, reason="x"), "INVALID_STATE"),
    ("a_retraction_is_not_retracted",
     [ONBOARD, INVOICE, e("EntryRetracted", version=2, reason="typo")],
     e("EntryRetracted", version=3, reason="x"), "INVALID_STATE"),
    ("an_entry_is_retracted_once",
     [ONBOARD, INVOICE, e("EntryRetracted", version=2, reason="typo")],
     e("EntryRetracted", version=2, reason="x"), "INVALID_STATE"),
    ("retraction_must_leave_a_valid_history",
     [ONBOARD, VENDOR_PROMISE, e("PromiseKept", "2026-02-03", promiseId="P1")],
     e("EntryRetracted", version=2, reason="x"), "INVALID_STATE"),
    ("amounts_are_in_the_client_currency", [ONBOARD],
     e("InvoiceIssued", invoiceId="INV1", amount="10.00 USD", description="x"),
     "CURRENCY_MISMATCH"),
    ("declared_currency_must_match", [ONBOARD],
     e("InvoiceIssued", invoiceId="INV1", amount="10.00", currency="GBP", description="x"),
     "CURRENCY_MISMATCH"),
    ("amounts_are_positive", [ONBOARD],
     e("InvoiceIssued", invoiceId="INV1", amount="-10.00", description="x"), "INVALID_INPUT"),
    ("amounts_are_not_zero", [ONBOARD],
     e("PaymentReceived", paymentId="PAY1", amount="0.00"), "INVALID_INPUT"),
    ("amounts_have_at_most_two_decimals", [ONBOARD],
     e("PaymentReceived", paymentId="PAY1", amount="10.005"), "INVALID_INPUT"),
    ("amounts_are_exact_not_floats", [ONBOARD],
     e("PaymentReceived", paymentId="PAY1", amount=10.5), "INVALID_INPUT"),
    ("no_date_more_than_a_day_ahead", [ONBOARD],
     e("PaymentReceived", "2026-11-24", paymentId="PAY1", amount="1.00"), "FUTURE_DATE"),
    ("nothing_before_the_onboarding", [ONBOARD],
     e("PaymentReceived", "2026-01-04", paymentId="PAY1", amount="1.00"), "INVALID_INPUT"),
    ("unknown_event_type", [ONBOARD], e("InvoicePaid", invoiceId="INV1"), "INVALID_INPUT"),
    ("unknown_field", [ONBOARD],
     e("PaymentReceived", paymentId="PAY1", amount="1.00", colour="red"), "INVALID_INPUT"),
    ("ids_use_the_allowed_characters", [ONBOARD],
     e("PaymentReceived", paymentId="PAY 1", amount="1.00"), "INVALID_INPUT"),
    ("client_refs_use_the_allowed_characters", [],
     entry("ClientOnboarded", "acme/1", "2026-01-05", name="x", currency="EUR"),
     "INVALID_INPUT"),
    ("currency_is_an_iso_code", [],
     e("ClientOnboarded", "2026-01-05", name="x", currency="EURO"), "INVALID_INPUT"),
    ("timezone_is_an_iana_zone", [],
     e("ClientOnboarded", "2026-01-05", name="x", currency="EUR", timezone="Mars/Olympus"),
     "INVALID_INPUT"),
    ("dates_are_iso_dates", [ONBOARD],
     e("PaymentReceived", "22/11/2026", paymentId="PAY1", amount="1.00"), "INVALID_INPUT"),
    ("enums_take_known_values", [ONBOARD],
     e("ComplaintFiled", complaintId="C1", raisedBy="CLIENT", category="DELAY",
       severity="APOCALYPTIC", description="x"), "INVALID_INPUT"),
    ("required_text_is_not_blank", [ONBOARD],
     e("InvoiceIssued", invoiceId="INV1", amount="5.00", description="   "), "INVALID_INPUT"),
]


def _max_position(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


@pytest.mark.parametrize(("history", "refused", "code"),
                         [pytest.param(h, r, c, id=name) for name, h, r, c in CASES])
def test_rule_refuses_with_its_code_and_writes_nothing(
    memory_ledger: Ledger, history: list[Entry], refused: Entry, code: str
) -> None:
    if history:
        memory_ledger.append(history)
    before = _max_position(memory_ledger)
    with pytest.raises(LedgerError) as caught:
        memory_ledger.append([refused])
    assert caught.value.code == code, caught.value.message
    assert caught.value.message  # a sentence for a person
    assert _max_position(memory_ledger) == before


def test_payments_complaints_and_retractions_are_still_allowed_after_the_end(
    memory_ledger: Ledger,
) -> None:
    memory_ledger.append([ONBOARD, INVOICE, ENDED])
    results = memory_ledger.append([
        e("PaymentReceived", "2026-03-05", paymentId="PAY1", amount="400.00"),
        e("ComplaintFiled", "2026-03-06", complaintId="C1", raisedBy="CLIENT",
          category="BILLING", severity="LOW", description="Invoice unclear"),
        e("EntryRetracted", "2026-03-07", version=4, reason="wrong amount"),
        e("ContactLogged", "2026-03-08", contactId="K1", channel="PHONE", direction="INBOUND",
          purpose="SALES", summary="asked about prices"),
    ])
    assert [r.version for r in results] == [4, 5, 6, 7]


def test_a_retraction_is_allowed_once_the_later_entry_is_retracted_first(
    memory_ledger: Ledger,
) -> None:
    memory_ledger.append([ONBOARD, VENDOR_PROMISE, e("PromiseKept", "2026-02-03", promiseId="P1")])
    memory_ledger.append([e("EntryRetracted", version=3, reason="not kept after all"),
                          e("EntryRetracted", version=2, reason="never promised")])
    records = memory_ledger.stream(ACME)
    assert [r.retracted for r in records] == [False, True, True, False, False]
    # the promise id is free again: a correction is a retraction plus a new event
    memory_ledger.append([e("PromiseMade", "2026-02-05", promiseId="P1", by="VENDOR",
                            kind="DELIVERY", description="Deliver tiles", dueOn="2026-02-25")])


def test_a_later_plan_replaces_the_earlier_one_for_its_invoices(memory_ledger: Ledger) -> None:
    memory_ledger.append([ONBOARD, INVOICE,
                          e("PaymentPlanAgreed", "2026-02-02", planId="PL1", invoiceIds=["INV1"],
                            instalments=[{"dueOn": "2026-03-01", "amount": "600.00"},
                                         {"dueOn": "2026-04-01", "amount": "400.00"}]),
                          e("PaymentReceived", "2026-02-20", paymentId="PAY1", amount="100.00"),
                          e("PaymentPlanAgreed", "2026-02-21", planId="PL2", invoiceIds=["INV1"],
                            instalments=[{"dueOn": "2026-05-01", "amount": "900.00"}])])
    accounts = _standing(memory_ledger).accounts
    assert accounts.invoices["INV1"].plan_id == "PL2"
    assert accounts.plans["PL1"].invoice_ids == []


def _standing(ledger: Ledger):  # type: ignore[no-untyped-def]
    relationship = ledger.load(ACME)
    assert relationship is not None
    return relationship.standing

"""Every event type is accepted, and its fields come back exactly through export."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.entries import Entry
from domain.jsonlines import export_line
from domain.ledger import Ledger
from domain.relationship import EVENT_TYPES
from tests.support import entry

# One history that uses every event type with every field it has.
FULL_HISTORY: list[tuple[str, str, dict[str, Any]]] = [
    ("ClientOnboarded", "2026-01-05", {"name": "Acme Tiles", "currency": "EUR",
                                       "paymentTermsDays": 45, "sector": "construction",
                                       "timezone": "Europe/Madrid", "contactCap": 4}),
    ("ClientProfileUpdated", "2026-01-06", {"name": "Acme Tiles SL", "sector": "retail",
                                            "timezone": "Atlantic/Canary",
                                            "paymentTermsDays": 30, "contactCap": 3}),
    ("InvoiceIssued", "2026-01-10", {"invoiceId": "F-2026-0042", "amount": "1200.50",
                                     "dueOn": "2026-02-09", "description": "Setup fee"}),
    ("InvoiceIssued", "2026-01-11", {"invoiceId": "F-2026-0043", "amount": "300.00",
                                     "dueOn": "2026-02-10", "description": "Licences"}),
    ("PromiseMade", "2026-01-12", {"promiseId": "PTP1", "by": "CLIENT", "kind": "PAYMENT",
                                   "description": "Pays the setup by month end",
                                   "dueOn": "2026-01-31", "amount": "1200.50",
                                   "invoiceId": "F-2026-0042"}),
    ("PromiseMade", "2026-01-12", {"promiseId": "P2", "by": "VENDOR", "kind": "INTEGRATION",
                                   "description": "Ordering integration live",
                                   "dueOn": "2026-02-15", "amount": "500.00"}),
    ("PromiseRenegotiated", "2026-01-20", {"promiseId": "P2", "newDueOn": "2026-02-28",
                                           "newAmount": "450.00", "reason": "API changes"}),
    ("PromiseKept", "2026-02-20", {"promiseId": "P2", "amount": "450.00"}),
    ("PromiseMade", "2026-01-13", {"promiseId": "P3", "by": "VENDOR", "kind": "SUPPORT",
                                   "description": "Weekly check-in", "dueOn": "2026-01-20"}),
    ("PromiseBroken", "2026-01-21", {"promiseId": "P3", "reason": "Staff shortage"}),
    ("PromiseMade", "2026-01-13", {"promiseId": "P4", "by": "CLIENT", "kind": "OTHER",
                                   "description": "Send the floor plans",
                                   "dueOn": "2026-01-25"}),
    ("PromiseCancelled", "2026-01-14", {"promiseId": "P4", "reason": "No longer needed"}),
    ("ExpectationRecorded", "2026-01-15", {"expectationId": "E1", "heldBy": "CLIENT",
                                           "kind": "INTEGRATION",
                                           "description": "Live within a week",
                                           "expectedOn": "2026-01-22",
                                           "expectedAmount": "100.00", "basis": "ASSUMED"}),
    ("ExpectationRevised", "2026-01-16", {"expectationId": "E1", "expectedOn": "2026-01-29",
                                          "expectedAmount": "120.00", "reason": "Talked"}),
    ("ExpectationMet", "2026-01-28", {"expectationId": "E1", "actualAmount": "120.00"}),
    ("ExpectationRecorded", "2026-01-15", {"expectationId": "E2", "heldBy": "VENDOR",
                                           "kind": "PURCHASE", "description": "Ready to buy",
                                           "expectedOn": "2026-03-01",
                                           "expectedAmount": "5000.00", "basis": "STATED"}),
    ("ExpectationMissed", "2026-03-05", {"expectationId": "E2", "actualAmount": "1000.00",
                                         "note": "Bought a tenth"}),
    ("InvoiceDisputed", "2026-02-01", {"invoiceId": "F-2026-0043", "reason": "Two seats"}),
    ("InvoiceDisputeResolved", "2026-02-03", {"invoiceId": "F-2026-0043", "outcome": "UPHELD",
                                              "creditAmount": "100.00"}),
    ("InvoiceWrittenOff", "2026-02-04", {"invoiceId": "F-2026-0043", "amount": "50.00",
                                         "reason": "Goodwill"}),
    ("PaymentPlanAgreed", "2026-02-05", {"planId": "PL1", "invoiceIds": ["F-2026-0043"],
                                         "instalments": [{"dueOn": "2026-03-01",
                                                          "amount": "100.00"},
                                                         {"dueOn": "2026-04-01",
                                                          "amount": "50.00"}]}),
    ("PaymentReceived", "2026-01-30", {"paymentId": "PAY1", "amount": "1200.50",
                                       "method": "transfer", "invoiceId": "F-2026-0042"}),
    ("PaymentReceived", "2026-03-01", {"paymentId": "PAY2", "amount": "100.00"}),
    ("PaymentReversed", "2026-03-03", {"paymentId": "PAY2", "reason": "The transfer bounced"}),
    ("ContactLogged", "2026-03-04", {"contactId": "K1", "channel": "PHONE",
                                     "direction": "OUTBOUND", "purpose": "COLLECTION",
                                     "summary": "Asked about the instalment",
                                     "answered": True}),
    ("ComplaintFiled", "2026-03-05", {"complaintId": "C1", "raisedBy": "CLIENT",
                                      "category": "SERVICE_FAILURE", "severity": "HIGH",
                                      "description": "Orders lost", "promiseId": "P2"}),
    ("ComplaintAcknowledged", "2026-03-05", {"complaintId": "C1"}),
    ("ComplaintResolved", "2026-03-07", {"complaintId": "C1",
                                         "whatWentWrong": "A sync failed silently",
                                         "correction": "Orders replayed",
                                         "prevention": "Failures page the on-call"}),
    ("ComplaintReopened", "2026-03-09", {"complaintId": "C1", "reason": "It happened again"}),
    ("ServiceRequested", "2026-03-10", {"requestId": "R1", "description": "Paint the walls",
                                        "inOffering": False}),
    ("AdviceGiven", "2026-03-11", {"adviceId": "A1", "summary": "Order in bulk"}),
    ("AdviceAnswered", "2026-03-12", {"adviceId": "A1", "accepted": False,
                                      "note": "Too much cash tied up"}),
    ("RelationshipEnded", "2026-03-13", {"reason": "SERVICE_MISMATCH", "note": "Wants paint"}),
    ("RelationshipResumed", "2026-03-20", {"note": "Back for tiles only"}),
    ("EntryRetracted", "2026-03-21", {"version": 30, "reason": "Logged on the wrong client"}),
]


@pytest.fixture
def exported(memory_ledger: Ledger) -> list[dict[str, Any]]:
    memory_ledger.append([Entry(t, "acme", data, on, idempotency_key=f"k{n}", actor="ana")
                          for n, (t, on, data) in enumerate(FULL_HISTORY, 1)])
    return [export_line(r) for r in memory_ledger.stream("acme")]


def test_the_full_history_uses_every_event_type() -> None:
    assert {t for t, _, _ in FULL_HISTORY} == set(EVENT_TYPES)
    assert len(EVENT_TYPES) == 29


@pytest.mark.parametrize("index", range(len(FULL_HISTORY)),
                         ids=[f"{n:02d}-{t}" for n, (t, _, _) in enumerate(FULL_HISTORY, 1)])
def test_event_is_accepted_and_round_trips_through_export(
    exported: list[dict[str, Any]], index: int
) -> None:
    type_, occurred_on, data = FULL_HISTORY[index]
    line = exported[index]
    assert line["type"] == type_
    assert line["clientRef"] == "acme"
    assert line["occurredOn"] == occurred_on
    assert line["data"] == data
    assert line["idempotencyKey"] == f"k{index + 1}"
    assert line["actor"] == "ana"
    assert line["version"] == index + 1
    assert line["retracted"] == (index + 1 == 30)
    assert list(line) == ["type", "clientRef", "occurredOn", "data", "idempotencyKey",
                          "actor", "version", "position", "recordedAt", "retracted"]


def test_positions_follow_the_batch_and_recorded_at_comes_from_the_clock(
    exported: list[dict[str, Any]], clock: Any
) -> None:
    positions = [line["position"] for line in exported]
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)
    assert {line["recordedAt"] for line in exported} == {clock.now.isoformat()}


def test_defaults_are_recorded_on_the_event(memory_ledger: Ledger) -> None:
    results = memory_ledger.append([
        entry("ClientOnboarded", "beta", "2026-01-05", name="Beta", currency="EUR"),
        entry("InvoiceIssued", "beta", "2026-01-10", amount="10", description="x"),
        entry("ExpectationRecorded", "beta", "2026-01-10", heldBy="CLIENT", kind="OTHER",
              description="x", expectedOn="2026-01-20"),
        entry("ContactLogged", "beta", "2026-01-11", channel="EMAIL", direction="OUTBOUND",
              purpose="CHECK_IN", summary="hello"),
        entry("ContactLogged", "beta", "2026-01-12", channel="EMAIL", direction="INBOUND",
              purpose="CHECK_IN", summary="hi"),
    ])
    data = [r.data for r in memory_ledger.stream("beta")]
    assert data[0]["paymentTermsDays"] == 30
    assert data[0]["contactCap"] == 3
    assert data[1]["dueOn"] == "2026-02-09"  # issuedOn + paymentTermsDays
    assert data[1]["amount"] == "10.00"
    assert data[1]["invoiceId"] == results[1].entity_id
    assert results[1].entity_id is not None
    assert results[1].entity_id.startswith("INV-")
    assert data[2]["basis"] == "STATED"
    assert data[3]["answered"] is False  # OUTBOUND defaults to unanswered
    assert data[4]["answered"] is True  # INBOUND defaults to answered


def test_the_due_date_default_uses_the_terms_in_force_at_issue(memory_ledger: Ledger) -> None:
    memory_ledger.append([
               entry("ClientOnboarded", "beta", "2026-01-05", name="Beta", currency="EUR",
                     paymentTermsDays=15),
               entry("InvoiceIssued", "beta", "2026-01-10", invoiceId="I1", amount="10",
                     description="x"),
               entry("ClientProfileUpdated", "beta", "2026-01-11", paymentTermsDays=60),
               entry("InvoiceIssued", "beta", "2026-01-12", invoiceId="I2", amount="10",
                     description="x"),
    ])
    dues = [r.data.get("dueOn") for r in memory_ledger.stream("beta")]
    assert dues == [None, "2026-01-25", None, "2026-03-13"]


def test_amounts_add_up_exactly(memory_ledger: Ledger) -> None:
    memory_ledger.append([
               entry("ClientOnboarded", "beta", "2026-01-05", name="Beta", currency="EUR"),
               entry("InvoiceIssued", "beta", "2026-01-10", invoiceId="I1", amount="0.30",
                     description="x"),
               entry("PaymentReceived", "beta", "2026-01-11", paymentId="P1", amount="0.1"),
               entry("PaymentReceived", "beta", "2026-01-12", paymentId="P2", amount="0.2"),
    ])
    relationship = memory_ledger.load("beta")
    assert relationship is not None
    invoice = relationship.standing.accounts.invoices["I1"]
    assert invoice.balance == Decimal("0.00")
    assert invoice.settled_by == "PAYMENT"
    assert sum(a.amount for a in invoice.allocations) == Decimal("0.3")
    assert relationship.standing.accounts.credit == Decimal("0")

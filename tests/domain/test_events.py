"""Every event type is accepted, and its fields come back exactly through export."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from domain.entries import Entry
from domain.jsonlines import export_line
from domain.ledger import Ledger
from domain.relationship import EVENT_TYPES
from tests.support import entry
from tests.support.entries import FULL_HISTORY


@pytest.fixture
def exported(memory_ledger: Ledger) -> list[dict[str, Any]]:
    memory_ledger.append([Entry(t, "acme", data, on, idempotency_key=f"k{n}", actor="ana")
                          for n, (t, on, data) in enumerate(FULL_HISTORY, 1)])
    return [export_line(r) for r in memory_ledger.stream("acme")]


def test_the_full_history_uses_every_event_type() -> None:
    """Every type but ClientForgotten, which erases the personal fields the round trip
    below compares (tests/domain/test_forgetting.py has it)."""
    assert {t for t, _, _ in FULL_HISTORY} == set(EVENT_TYPES) - {"ClientForgotten"}
    assert len(EVENT_TYPES) == 30


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
    # a due date is not recorded: it is derived from the terms in force when folding, so
    # that it follows a retraction of a terms change (issuedOn + paymentTermsDays here)
    assert "dueOn" not in data[1]
    client = memory_ledger.load("beta")
    assert client is not None
    assert str(client.standing.accounts.invoices[data[1]["invoiceId"]].due_on) == "2026-02-09"
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
    assert [r.data.get("dueOn") for r in memory_ledger.stream("beta")] == [None] * 4
    client = memory_ledger.load("beta")
    assert client is not None
    dues = {i: str(a.due_on) for i, a in client.standing.accounts.invoices.items()}
    assert dues == {"I1": "2026-01-25", "I2": "2026-03-13"}


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


def test_every_stored_event_is_the_json_the_standard_library_would_write(
        memory_ledger: Ledger) -> None:
    """The mapper writes with msgspec; the stored bytes stay those of the standard
    library's compact UTF-8 encoder (rows already stored read the same), odd text
    included, and read back to the same state."""
    odd = "ñ\u2028\"\\ \u00e9 😀 ü"
    memory_ledger.append([Entry(t, "acme", data, on, actor=odd)
                          for t, on, data in FULL_HISTORY])
    stored = memory_ledger.store.select_notifications(1, 100)
    assert len(stored) == len(FULL_HISTORY)
    reference = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
    for row in stored:
        state = json.loads(row.state)
        assert row.state == reference.encode(state).encode()
        assert state["actor"] == odd
        assert memory_ledger.mapper.to_domain_event(row).__dict__["actor"] == odd

"""A default due date follows what remains after a retraction.

The stored event keeps what the caller sent (no `dueOn`); the due date is derived in the
fold from the payment terms in force when the invoice was issued, retractions considered,
by the ledger's standing and the figures alike; the export carries what the caller sent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from domain.jsonlines import export_line
from domain.ledger import Ledger
from projections.figures.payments import InvoiceStatus
from tests.support import FixedClock, entry, onboard
from tests.support.histories import state_of
from tests.support.sides import Side, open_side

AS_OF = date(2026, 3, 15)


@pytest.fixture
def side(database_url: str, clock: FixedClock) -> Iterator[Side]:
    opened = open_side(database_url, clock)
    yield opened
    opened.close()


def terms_changed_then_invoiced(ledger: Ledger) -> int:
    """Onboarded with 30-day terms, changed to 60, an invoice without a due date; returns
    the version of the change."""
    onboard(ledger, "acme", "2026-01-05", paymentTermsDays=30)
    (change,) = ledger.append([entry("ClientProfileUpdated", "acme", "2026-01-10",
                                     paymentTermsDays=60)])
    ledger.append([entry("InvoiceIssued", "acme", "2026-01-20", invoiceId="INV1",
                         amount="1000.00", description="work")])
    return change.version


def invoice(side: Side) -> tuple[date, InvoiceStatus]:
    side.projector.catch_up()
    figures = side.read.client("acme", AS_OF)
    assert figures is not None
    (found,) = figures.payments.invoices
    return found.due_on, found.status


def test_the_default_due_date_follows_the_retraction_of_a_terms_change(side: Side) -> None:
    change = terms_changed_then_invoiced(side.ledger)
    assert invoice(side) == (date(2026, 3, 21), InvoiceStatus.OPEN)  # 60 days
    side.ledger.append([entry("EntryRetracted", "acme", "2026-01-25", version=change,
                              reason="entered on the wrong client")])
    # 30 days after 2026-01-20: due 2026-02-19, overdue on 2026-03-15
    assert invoice(side) == (date(2026, 2, 19), InvoiceStatus.OVERDUE)
    assert state_of(side.ledger, "acme").accounts.invoices["INV1"].due_on == date(2026, 2, 19)
    # the ledger's own standing agrees (it orders allocations by due date)
    client = side.ledger.load("acme")
    assert client is not None
    assert client.standing.accounts.invoices["INV1"].due_on == date(2026, 2, 19)
    # a rebuild from the events gives the same
    side.projector.rebuild()
    assert invoice(side) == (date(2026, 2, 19), InvoiceStatus.OVERDUE)


def test_the_stored_event_and_the_export_keep_what_the_caller_sent(side: Side) -> None:
    terms_changed_then_invoiced(side.ledger)
    issued = side.ledger.stream("acme")[-1]
    assert issued.event.due_on is None  # type: ignore[attr-defined]
    line = export_line(issued)
    assert line["type"] == "InvoiceIssued"
    assert "dueOn" not in line["data"]


def test_a_due_date_the_caller_gave_is_kept(side: Side) -> None:
    change = terms_changed_then_invoiced(side.ledger)
    side.ledger.append([entry("InvoiceIssued", "acme", "2026-01-21", invoiceId="INV2",
                              amount="10.00", description="work", dueOn="2026-04-30")])
    side.ledger.append([entry("EntryRetracted", "acme", "2026-01-25", version=change,
                              reason="wrong")])
    side.projector.catch_up()
    figures = side.read.client("acme", AS_OF)
    assert figures is not None
    due = {i.id: i.due_on for i in figures.payments.invoices}
    assert due == {"INV1": date(2026, 2, 19), "INV2": date(2026, 4, 30)}
    assert export_line(side.ledger.stream("acme")[-2])["data"]["dueOn"] == "2026-04-30"


def test_terms_changed_after_the_issue_date_do_not_apply(side: Side) -> None:
    onboard(side.ledger, "acme", "2026-01-05", paymentTermsDays=30)
    side.ledger.append([entry("ClientProfileUpdated", "acme", "2026-02-01",
                              paymentTermsDays=60)])
    side.ledger.append([entry("InvoiceIssued", "acme", "2026-01-20", invoiceId="INV1",
                              amount="1000.00", description="back-dated")])
    assert invoice(side) == (date(2026, 2, 19), InvoiceStatus.OVERDUE)

"""Client histories written through the real Ledger, for the projection tests: `History`
writes one event a line; `import_lines` appends a JSON Lines file."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from domain.entries import Entry
from domain.ledger import Ledger
from projections.figures import ClientFigures, figures
from projections.figures.contact_policy import ContactPolicy, contact_allowed
from projections.state import ClientState, fold
from projections.store import open_ledger
from tests.support import SCENARIOS

CLOCK = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def new_ledger(folder: Path) -> Ledger:
    return open_ledger(f"sqlite:///{folder}/palabra.db", clock=lambda: CLOCK)


def scenarios_folder() -> Path:
    return SCENARIOS


def import_lines(ledger: Ledger, path: Path) -> list[str]:
    """Append every line of a JSON Lines history; returns the client refs in order."""
    refs: list[str] = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        ledger.append([Entry(item["type"], item["clientRef"], item["data"], item["occurredOn"],
                             item.get("idempotencyKey"), None, item.get("actor"))])
        if item["clientRef"] not in refs:
            refs.append(item["clientRef"])
    return refs


def state_of(ledger: Ledger, ref: str) -> ClientState:
    return fold([r.event for r in ledger.stream(ref)])


class History:
    """A client's history written through the Ledger, one line per event.

    `h.add("PromiseMade", "2026-01-10", promiseId="P1", ...)` appends an event;
    `h.state()` folds the stream.
    """

    def __init__(self, ledger: Ledger, ref: str = "c1", onboarded: str = "2025-01-01",
                 **profile: Any) -> None:
        self.ledger, self.ref = ledger, ref
        data = {"name": "Client One", "currency": "EUR", **profile}
        self.add("ClientOnboarded", onboarded, **data)

    def add(self, event_type: str, on: str | date, **data: Any) -> int:
        (appended,) = self.ledger.append([Entry(event_type, self.ref, data, str(on))])
        return appended.version

    def state(self) -> ClientState:
        return state_of(self.ledger, self.ref)

    def figures(self, as_of: str | date) -> ClientFigures:
        return figures(self.state(), _day(as_of))

    def policy(self, on: str | date) -> ContactPolicy:
        return contact_allowed(self.state(), _day(on))

    # shorthands for the commonest events

    def invoice(self, invoice_id: str, on: str, amount: str, due: str | None = None) -> int:
        data = {"invoiceId": invoice_id, "amount": amount, "description": "work"}
        return self.add("InvoiceIssued", on, **data, **({"dueOn": due} if due else {}))

    def pay(self, payment_id: str, on: str, amount: str, invoice: str | None = None) -> int:
        data = {"paymentId": payment_id, "amount": amount}
        if invoice:
            data["invoiceId"] = invoice
        return self.add("PaymentReceived", on, **data)

    def promise(self, promise_id: str, on: str, due: str, by: str = "VENDOR",
                kind: str = "DELIVERY", **extra: Any) -> int:
        return self.add("PromiseMade", on, promiseId=promise_id, by=by, kind=kind,
                        description="our word", dueOn=due, **extra)

    def contact(self, contact_id: str, on: str, direction: str = "OUTBOUND",
                purpose: str = "COLLECTION", answered: bool | None = None) -> int:
        data: dict[str, Any] = {"contactId": contact_id, "channel": "PHONE",
                                "direction": direction, "purpose": purpose, "summary": "call"}
        if answered is not None:
            data["answered"] = answered
        return self.add("ContactLogged", on, **data)


def _day(value: str | date) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value

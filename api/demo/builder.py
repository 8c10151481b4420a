"""The demo's builder: one client's history, written with days counted back from today
and one helper per kind of event.

Every event gets a stable idempotency key (`demo:<ref>:<n>`), so loading the demo twice
writes nothing the second time.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from domain.entries import Entry

DEMO_TAG = "demo"  # every demo clientRef starts with "demo-"
ACTOR = "demo"


class History:
    """One client's events, written with days counted back from `today`."""

    def __init__(self, ref: str, today: date) -> None:
        self.ref, self.today = ref, today
        self.events: list[tuple[date, str, dict[str, Any]]] = []
        self._counters: dict[str, int] = {}

    def on(self, ago: int) -> str:
        """The ISO date `ago` days before today (negative: after today, for due dates)."""
        return (self.today - timedelta(days=ago)).isoformat()

    def add(self, ago: int, type_: str, data: dict[str, Any]) -> None:
        if ago < 0:
            raise ValueError("a demo event cannot happen after today")
        self.events.append((self.today - timedelta(days=ago), type_, data))

    def next_id(self, prefix: str, start: int = 1) -> str:
        n = self._counters[prefix] = self._counters.get(prefix, start - 1) + 1
        return f"{prefix}-{n}"

    def entries(self) -> list[Entry]:
        ordered = sorted(self.events, key=lambda item: item[0])  # stable: same-day order kept
        return [Entry(type_, self.ref, data, occurred_on=on,
                      idempotency_key=f"{DEMO_TAG}:{self.ref}:{n}", actor=ACTOR)
                for n, (on, type_, data) in enumerate(ordered, 1)]

    # ---- one helper per kind of event ------------------------------------------------

    def onboard(self, ago: int, name: str, currency: str, sector: str, timezone: str,
                terms: int = 30, cap: int = 3) -> None:
        self.add(ago, "ClientOnboarded", {
            "name": name, "currency": currency, "paymentTermsDays": terms, "sector": sector,
            "timezone": timezone, "contactCap": cap})

    def invoice(self, ago: int, amount: str, description: str, terms: int = 30) -> str:
        invoice_id = self.next_id("INV", 1001)
        self.add(ago, "InvoiceIssued", {
            "invoiceId": invoice_id, "amount": amount, "dueOn": self.on(ago - terms),
            "description": description})
        return invoice_id

    def pay(self, ago: int, amount: str, invoice_id: str | None,
            method: str = "bank transfer") -> str:
        payment_id = self.next_id("PAY")
        data = {"paymentId": payment_id, "amount": amount, "method": method}
        if invoice_id is not None:
            data["invoiceId"] = invoice_id
        self.add(ago, "PaymentReceived", data)
        return payment_id

    def contact(self, ago: int, channel: str, direction: str, purpose: str, summary: str,
                answered: bool | None = None) -> None:
        if answered is None:
            answered = direction == "INBOUND"
        self.add(ago, "ContactLogged", {
            "contactId": self.next_id("K"), "channel": channel, "direction": direction,
            "purpose": purpose, "summary": summary, "answered": answered})

    def promise(self, ago: int, by: str, kind: str, description: str, due_ago: int,
                amount: str | None = None, invoice_id: str | None = None) -> str:
        promise_id = self.next_id("P")
        data = {"promiseId": promise_id, "by": by, "kind": kind, "description": description,
                "dueOn": self.on(due_ago)}
        if amount is not None:
            data["amount"] = amount
        if invoice_id is not None:
            data["invoiceId"] = invoice_id
        self.add(ago, "PromiseMade", data)
        return promise_id

    def kept(self, ago: int, promise_id: str) -> None:
        self.add(ago, "PromiseKept", {"promiseId": promise_id})

    def broken(self, ago: int, promise_id: str, reason: str) -> None:
        self.add(ago, "PromiseBroken", {"promiseId": promise_id, "reason": reason})

    def expectation(self, ago: int, held_by: str, kind: str, description: str,
                    expected_ago: int | None = None, amount: str | None = None,
                    basis: str = "STATED") -> str:
        expectation_id = self.next_id("E")
        data: dict[str, Any] = {"expectationId": expectation_id, "heldBy": held_by,
                                "kind": kind, "description": description, "basis": basis}
        if expected_ago is not None:
            data["expectedOn"] = self.on(expected_ago)
        if amount is not None:
            data["expectedAmount"] = amount
        self.add(ago, "ExpectationRecorded", data)
        return expectation_id

    def complaint(self, ago: int, raised_by: str, category: str, severity: str,
                  description: str, promise_id: str | None = None) -> str:
        complaint_id = self.next_id("C")
        data = {"complaintId": complaint_id, "raisedBy": raised_by, "category": category,
                "severity": severity, "description": description}
        if promise_id is not None:
            data["promiseId"] = promise_id
        self.add(ago, "ComplaintFiled", data)
        return complaint_id

    def acknowledged(self, ago: int, complaint_id: str) -> None:
        self.add(ago, "ComplaintAcknowledged", {"complaintId": complaint_id})

    def resolved(self, ago: int, complaint_id: str, what_went_wrong: str, correction: str,
                 prevention: str) -> None:
        self.add(ago, "ComplaintResolved", {
            "complaintId": complaint_id, "whatWentWrong": what_went_wrong,
            "correction": correction, "prevention": prevention})

    def request(self, ago: int, description: str, in_offering: bool) -> None:
        self.add(ago, "ServiceRequested", {"requestId": self.next_id("R"),
                                           "description": description,
                                           "inOffering": in_offering})

    def advice(self, ago: int, summary: str, answered_ago: int, accepted: bool,
               note: str) -> None:
        advice_id = self.next_id("A")
        self.add(ago, "AdviceGiven", {"adviceId": advice_id, "summary": summary})
        self.add(answered_ago, "AdviceAnswered", {"adviceId": advice_id,
                                                  "accepted": accepted, "note": note})

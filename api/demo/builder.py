"""The demo's builder: one client's history, written with days counted back from today
and one helper per kind of event.

Each event has the day it occurred and the day it was recorded, as in a real ledger: a
meeting is written up the next day, a payment is seen on the next morning's bank statement,
and a story may record an entry late (`late=`) or record a wrong one and retract it
(`mistake`). `recordings()` gives the entries in the order they were recorded, with their
day; every event gets a stable idempotency key (`demo:<ref>:<n>`), so loading the demo twice
writes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.entries import Entry

DEMO_TAG = "demo"  # every demo clientRef starts with "demo-"
ACTOR = "demo"
LAGS = {"PaymentReceived": 1}  # days between occurring and being recorded, by event type
MEETING_LAG = 1  # a meeting is written up the next day


@dataclass(frozen=True)
class Recording:
    """One entry of the demo and the day the ledger recorded it."""

    recorded_on: date
    entry: Entry


@dataclass
class _Event:
    occurred_on: date
    recorded_on: date
    type: str
    data: dict[str, Any]
    retracts: _Event | None = None  # for an EntryRetracted: the event it retracts


class History:
    """One client's events, written with days counted back from `today`."""

    def __init__(self, ref: str, today: date) -> None:
        self.ref, self.today = ref, today
        self.events: list[_Event] = []
        self._counters: dict[str, int] = {}

    def on(self, ago: int) -> str:
        """The ISO date `ago` days before today (negative: after today, for due dates)."""
        return (self.today - timedelta(days=ago)).isoformat()

    def add(self, ago: int, type_: str, data: dict[str, Any], late: int | None = None) -> None:
        """An event that occurred `ago` days before today, recorded `late` days after it
        (default: the usual lag of its kind, never after today)."""
        if ago < 0:
            raise ValueError("a demo event cannot happen after today")
        if late is None:
            meeting = type_ == "ContactLogged" and data.get("channel") == "MEETING"
            late = MEETING_LAG if meeting else LAGS.get(type_, 0)
        occurred = self.today - timedelta(days=ago)
        recorded = min(occurred + timedelta(days=late), self.today)
        self.events.append(_Event(occurred, recorded, type_, data))

    def mistake(self, ago: int, type_: str, wrong: dict[str, Any], right: dict[str, Any],
                noticed_after: int, reason: str) -> None:
        """A wrong entry recorded the day it occurred, retracted `noticed_after` days later
        and entered again, right, on the same day."""
        self.add(ago, type_, wrong, late=0)
        wrong_event = self.events[-1]
        self.add(ago - noticed_after, "EntryRetracted", {"reason": reason}, late=0)
        self.events[-1].retracts = wrong_event
        self.add(ago, type_, right, late=noticed_after)

    def next_id(self, prefix: str, start: int = 1) -> str:
        n = self._counters[prefix] = self._counters.get(prefix, start - 1) + 1
        return f"{prefix}-{n}"

    def recordings(self) -> list[Recording]:
        """The entries in the order the ledger recorded them (by recording day, then by
        the day they occurred; stable, so same-day order is kept)."""
        ordered = sorted(self.events, key=lambda e: (e.recorded_on, e.occurred_on))
        versions = {id(event): n for n, event in enumerate(ordered, 1)}
        recordings = []
        for n, event in enumerate(ordered, 1):
            data = event.data
            if event.retracts is not None:
                data = {"version": versions[id(event.retracts)], **data}
            recordings.append(Recording(event.recorded_on, Entry(
                event.type, self.ref, data, occurred_on=event.occurred_on,
                idempotency_key=f"{DEMO_TAG}:{self.ref}:{n}", actor=ACTOR)))
        return recordings

    def entries(self) -> list[Entry]:
        """The entries in the order they were recorded."""
        return [recording.entry for recording in self.recordings()]

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

    def payment(self, amount: str, invoice_id: str | None,
                method: str = "bank transfer") -> dict[str, Any]:
        """The data of a new payment (with the next payment id)."""
        data = {"paymentId": self.next_id("PAY"), "amount": amount, "method": method}
        if invoice_id is not None:
            data["invoiceId"] = invoice_id
        return data

    def pay(self, ago: int, amount: str, invoice_id: str | None,
            method: str = "bank transfer", late: int | None = None) -> str:
        data = self.payment(amount, invoice_id, method)
        self.add(ago, "PaymentReceived", data, late)
        return str(data["paymentId"])

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

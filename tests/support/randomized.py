"""Random but valid client histories, for property tests of the projections.

Events are proposed at random (some back-dated, some retracted) and appended
through the real Ledger one by one; whatever the ledger refuses is simply not
part of the history.  The same seed gives the same history.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from domain.entries import Entry
from domain.errors import LedgerError
from domain.ledger import Ledger

KINDS = ["DELIVERY", "INTEGRATION", "SERVICE_LEVEL", "SUPPORT", "PURCHASE", "OTHER"]


class RandomHistory:
    def __init__(self, ledger: Ledger, ref: str, seed: int, start: date = date(2024, 6, 3),
                 back_dated: float = 0.1) -> None:
        self.ledger, self.ref, self.rnd = ledger, ref, random.Random(seed)
        self.day, self.start, self.back_dated = start, start, back_dated
        self.ids: dict[str, list[str]] = {}
        self.serial = 0
        self.versions = 0
        self._append("ClientOnboarded", start, {"name": f"Client {ref}", "currency": "EUR",
                                                "paymentTermsDays": 30, "contactCap": 3})

    # ---- helpers ---------------------------------------------------------------------

    def _append(self, type_: str, on: date, data: dict[str, Any]) -> bool:
        try:
            (done,) = self.ledger.append([Entry(type_, self.ref, data, on.isoformat())])
        except LedgerError:
            return False
        self.versions = done.version
        return True

    def _new(self, kind: str) -> str:
        self.serial += 1
        identifier = f"{kind}{self.serial}"
        self.ids.setdefault(kind, []).append(identifier)
        return identifier

    def _pick(self, kind: str) -> str | None:
        found = self.ids.get(kind)
        if not found:
            return None
        return self.rnd.choice(found[-5:] if self.rnd.random() < 0.7 else found)

    def _money(self, low: int, high: int) -> str:
        return f"{self.rnd.randint(low, high)}.{self.rnd.randint(0, 99):02d}"

    def _balance(self, invoice_id: str) -> Decimal:
        relationship = self.ledger.load(self.ref)
        invoice = relationship.standing.accounts.invoices.get(invoice_id)
        return invoice.balance if invoice else Decimal(0)

    def _open_invoice(self) -> str | None:
        relationship = self.ledger.load(self.ref)
        accounts = relationship.standing.accounts
        found = [i for i in self.ids.get("INV", []) if i in accounts.invoices
                 and (accounts.invoices[i].balance > 0 or accounts.invoices[i].disputed)]
        return self.rnd.choice(found) if found else None

    def _when(self) -> date:
        if self.rnd.random() < self.back_dated:
            return max(self.start, self.day - timedelta(days=self.rnd.randint(1, 40)))
        return self.day

    # ---- proposals -------------------------------------------------------------------

    def step(self) -> None:
        self.day += timedelta(days=self.rnd.choice([0, 1, 1, 2, 3, 5]))
        on, r = self._when(), self.rnd.random()
        pick, rnd = self._pick, self.rnd
        later = (on + timedelta(days=rnd.randint(0, 40))).isoformat()
        if r < 0.12:
            data: dict[str, Any] = {"invoiceId": self._new("INV"), "amount": self._money(100, 3000),
                                    "description": "work"}
            if rnd.random() < 0.3:
                data["dueOn"] = (on + timedelta(days=rnd.randint(0, 60))).isoformat()
            if not self._append("InvoiceIssued", on, data):
                self.ids["INV"].pop()
        elif r < 0.24:
            invoice = pick("INV")
            amount = (str(self._balance(invoice)) if invoice and rnd.random() < 0.5
                      else self._money(50, 2500))
            data = {"paymentId": self._new("PAY"), "amount": amount, "method": "transfer"}
            if invoice and rnd.random() < 0.6:
                data["invoiceId"] = invoice
            self._append("PaymentReceived", on, data)
        elif r < 0.26:
            self._append("PaymentReversed", on, {"paymentId": pick("PAY") or "none",
                                                 "reason": "bounced"})
        elif r < 0.29:
            invoice = self._open_invoice() or "none"
            if rnd.random() < 0.5:
                self._append("InvoiceDisputed", on, {"invoiceId": invoice, "reason": "no"})
            else:
                data = {"invoiceId": invoice, "outcome": rnd.choice(["UPHELD", "REJECTED"])}
                if data["outcome"] == "UPHELD" and rnd.random() < 0.7:
                    data["creditAmount"] = self._money(10, 300)
                self._append("InvoiceDisputeResolved", on, data)
        elif r < 0.30:
            self._append("InvoiceWrittenOff", on, {"invoiceId": pick("INV") or "none",
                                                   "amount": self._money(10, 500),
                                                   "reason": "small"})
        elif r < 0.32:
            invoice = self._open_invoice()
            balance = self._balance(invoice) if invoice else Decimal(0)
            if invoice and balance > 1:
                first = (balance / 2).quantize(Decimal("0.01"))
                self._append("PaymentPlanAgreed", on, {
                    "planId": self._new("PL"), "invoiceIds": [invoice],
                    "instalments": [{"dueOn": later, "amount": str(first)},
                                    {"dueOn": (on + timedelta(days=70)).isoformat(),
                                     "amount": str(balance - first)}]})
        elif r < 0.42:
            by = rnd.choice(["VENDOR", "CLIENT"])
            payment = by == "CLIENT" and rnd.random() < 0.5
            data = {"promiseId": self._new("P"), "by": by,
                    "kind": "PAYMENT" if payment else rnd.choice(KINDS),
                    "description": "word", "dueOn": later}
            if payment or data["kind"] == "PURCHASE" or rnd.random() < 0.2:
                data["amount"] = self._money(100, 2000)
            if payment and rnd.random() < 0.6 and pick("INV"):
                data["invoiceId"] = pick("INV")
            self._append("PromiseMade", on, data)
        elif r < 0.50:
            promise = pick("P") or "none"
            event = rnd.choice(["PromiseKept", "PromiseKept", "PromiseBroken",
                                "PromiseRenegotiated", "PromiseCancelled"])
            data = {"promiseId": promise}
            if event == "PromiseRenegotiated":
                data |= {"newDueOn": later, "reason": "later"}
                if rnd.random() < 0.3:
                    data["newAmount"] = self._money(100, 2000)
            elif event in ("PromiseBroken", "PromiseCancelled"):
                data["reason"] = "so it goes"
            elif rnd.random() < 0.3:
                data["amount"] = self._money(100, 2000)
            self._append(event, on, data)
        elif r < 0.56:
            data = {"expectationId": self._new("E"), "heldBy": rnd.choice(["VENDOR", "CLIENT"]),
                    "kind": rnd.choice(KINDS), "description": "hope"}
            if rnd.random() < 0.8:
                data["expectedOn"] = later
            if "expectedOn" not in data or rnd.random() < 0.4:
                data["expectedAmount"] = self._money(100, 5000)
            self._append("ExpectationRecorded", on, data)
        elif r < 0.62:
            expectation = pick("E") or "none"
            event = rnd.choice(["ExpectationMet", "ExpectationMissed", "ExpectationRevised"])
            data = {"expectationId": expectation}
            if event == "ExpectationRevised":
                data |= {"expectedOn": later, "reason": "moved"}
            elif event == "ExpectationMissed":
                data["note"] = "not this time"
            if rnd.random() < 0.3:
                key = "expectedAmount" if event == "ExpectationRevised" else "actualAmount"
                data[key] = self._money(100, 5000)
            self._append(event, on, data)
        elif r < 0.78:
            direction = rnd.choice(["OUTBOUND", "OUTBOUND", "INBOUND"])
            data = {"contactId": self._new("K"), "channel": "EMAIL", "direction": direction,
                    "purpose": rnd.choice(["COLLECTION", "COLLECTION", "SALES", "CHECK_IN"]),
                    "summary": "talked"}
            if direction == "OUTBOUND":
                data["answered"] = rnd.random() < 0.4
            self._append("ContactLogged", on, data)
        elif r < 0.84:
            event = rnd.choice(["ComplaintFiled", "ComplaintFiled", "ComplaintAcknowledged",
                                "ComplaintResolved", "ComplaintReopened"])
            if event == "ComplaintFiled":
                data = {"complaintId": self._new("C"), "raisedBy": rnd.choice(["VENDOR", "CLIENT"]),
                        "category": rnd.choice(["BEHAVIOUR", "DELAY", "BILLING"]),
                        "severity": rnd.choice(["LOW", "MEDIUM", "HIGH", "CRITICAL"]),
                        "description": "unhappy"}
            else:
                data = {"complaintId": pick("C") or "none"}
                if event == "ComplaintResolved":
                    data |= {"whatWentWrong": "a", "correction": "b", "prevention": "c"}
                elif event == "ComplaintReopened":
                    data["reason"] = "again"
            self._append(event, on, data)
        elif r < 0.88:
            self._append("ServiceRequested", on, {"requestId": self._new("R"),
                                                  "description": "more",
                                                  "inOffering": rnd.random() < 0.5})
        elif r < 0.93:
            if rnd.random() < 0.5:
                self._append("AdviceGiven", on, {"adviceId": self._new("A"), "summary": "do x"})
            else:
                self._append("AdviceAnswered", on, {"adviceId": pick("A") or "none",
                                                    "accepted": rnd.random() < 0.3})
        elif r < 0.95:
            self._append("ClientProfileUpdated", on, {"contactCap": rnd.randint(1, 4)})
        elif r < 0.97:
            if rnd.random() < 0.5:
                self._append("RelationshipEnded", on, {"reason": "OTHER", "note": "pause"})
            else:
                self._append("RelationshipResumed", on, {"note": "again"})
        elif self.versions > 2:
            self._append("EntryRetracted", self.day, {
                "version": rnd.randint(2, self.versions), "reason": "mistake"})

    def grow(self, steps: int) -> RandomHistory:
        for _ in range(steps):
            self.step()
        return self

"""Invoices and payments: allocation, statuses, aging, DSO, averages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

import projections.figures.payments as payments_module
from projections.figures import figures
from projections.figures.payments import AgingBucket, InvoiceStatus, PaymentHistory, bucket
from projections.state import ClientState, evolve
from tests.support.histories import History

Make = Callable[..., History]


def money(history: PaymentHistory) -> dict[str, tuple[str, str]]:
    """Each invoice's (balance, status)."""
    return {i.id: (str(i.balance), i.status.value) for i in history.invoices}


def aging(history: PaymentHistory) -> dict[str, str]:
    return {a.bucket.value: str(a.amount) for a in history.aging if a.amount}


def test_a_payment_naming_an_invoice_settles_it_first_and_the_rest_goes_oldest_due_first(
        history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "100.00")  # due 2026-01-31
    h.invoice("B", "2026-01-10", "100.00")  # due 2026-02-09
    h.pay("PAY1", "2026-01-20", "150.00", invoice="B")
    payments = h.figures("2026-01-20").payments
    assert money(payments) == {"A": ("50.00", "OPEN"), "B": ("0.00", "PAID")}
    (payment,) = payments.payments
    assert [(a.invoice_id, str(a.amount)) for a in payment.allocations] == [
        ("B", "100.00"), ("A", "50.00")]


def test_unnamed_money_goes_to_the_oldest_due_then_the_oldest_issued_then_by_id(
        history: Make) -> None:
    h = history()
    h.invoice("Z", "2026-01-05", "100.00", due="2026-03-01")
    h.invoice("Y", "2026-01-06", "100.00", due="2026-03-01")
    h.invoice("X", "2026-01-06", "100.00", due="2026-03-01")
    h.invoice("W", "2026-01-07", "100.00", due="2026-02-15")
    h.pay("PAY1", "2026-01-20", "250.00")  # W (due first), Z (issued first), then X (id)
    assert money(h.figures("2026-01-20").payments) == {
        "Z": ("0.00", "PAID"), "Y": ("100.00", "OPEN"), "X": ("50.00", "OPEN"),
        "W": ("0.00", "PAID")}


def test_money_left_over_is_credit_and_settles_the_next_invoice_when_it_is_issued(
        history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "100.00")
    h.pay("PAY1", "2026-01-10", "150.00")
    before = h.figures("2026-01-10").payments
    assert (str(before.credit), str(before.received), str(before.outstanding)) == (
        "50.00", "150.00", "0.00")
    h.invoice("B", "2026-02-01", "80.00")
    after = h.figures("2026-02-01").payments
    assert (str(after.credit), money(after)["B"]) == ("0.00", ("30.00", "OPEN"))


def test_a_reversed_payment_is_undone_and_later_money_allocated_as_if_it_never_came(
        history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "100.00")
    h.invoice("B", "2026-01-02", "100.00")
    h.pay("PAY1", "2026-01-10", "100.00")
    h.pay("PAY2", "2026-01-11", "100.00")
    h.add("PaymentReversed", "2026-01-15", paymentId="PAY1", reason="bounced")
    before = h.figures("2026-01-14").payments
    assert money(before) == {"A": ("0.00", "PAID"), "B": ("0.00", "PAID")}
    after = h.figures("2026-01-15").payments
    assert money(after) == {"A": ("0.00", "PAID"), "B": ("100.00", "OPEN")}
    assert str(after.received) == "100.00"
    assert [(p.id, p.reversed) for p in after.payments] == [("PAY1", True), ("PAY2", False)]


def test_a_payment_plan_is_past_due_only_by_its_instalments_that_fell_due(
        history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "300.00")  # due 2026-01-31
    h.add("PaymentPlanAgreed", "2026-02-05", planId="PL1", invoiceIds=["A"],
          instalments=[{"dueOn": "2026-02-15", "amount": "100.00"},
                       {"dueOn": "2026-03-15", "amount": "200.00"}])
    on_time = h.figures("2026-02-10").payments
    assert (money(on_time)["A"], str(on_time.overdue), aging(on_time)) == (
        ("300.00", "OPEN"), "0.00", {"CURRENT": "300.00"})
    late = h.figures("2026-02-20").payments
    assert (money(late)["A"], str(late.overdue)) == (("300.00", "OVERDUE"), "100.00")
    assert aging(late) == {"CURRENT": "200.00", "DAYS_1_30": "100.00"}
    h.pay("PAY1", "2026-02-20", "100.00")
    paid = h.figures("2026-02-20").payments
    assert paid.average_days_beyond_terms == 5.0  # measured against the instalment
    assert [(str(s.amount), str(s.paid)) for s in paid.invoices[0].instalments] == [
        ("100.00", "100.00"), ("200.00", "0.00")]


def test_a_disputed_balance_is_aged_but_neither_overdue_nor_chased_by_unnamed_money(
        history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "100.00")  # due 2026-01-31
    h.add("InvoiceDisputed", "2026-02-05", invoiceId="A", reason="wrong")
    h.pay("PAY1", "2026-02-10", "60.00")
    disputed = h.figures("2026-03-01").payments
    assert money(disputed)["A"] == ("100.00", "DISPUTED")
    assert (str(disputed.overdue), str(disputed.outstanding), str(disputed.credit)) == (
        "0.00", "100.00", "60.00")
    assert aging(disputed) == {"DAYS_1_30": "100.00"}
    h.add("InvoiceDisputeResolved", "2026-03-02", invoiceId="A", outcome="REJECTED")
    resolved = h.figures("2026-03-02").payments
    assert (money(resolved)["A"], str(resolved.overdue)) == (("40.00", "OVERDUE"), "40.00")


def test_the_event_that_brings_the_balance_to_zero_decides_the_status(history: Make) -> None:
    h = history()
    h.invoice("PAID", "2026-01-01", "100.00")
    h.invoice("OFF", "2026-01-01", "100.00")
    h.invoice("CRED", "2026-01-01", "100.00")
    h.pay("PAY1", "2026-01-05", "100.00", invoice="PAID")
    h.add("InvoiceWrittenOff", "2026-01-06", invoiceId="OFF", amount="100.00", reason="gone")
    h.add("InvoiceDisputed", "2026-01-07", invoiceId="CRED", reason="broken")
    h.add("InvoiceDisputeResolved", "2026-01-08", invoiceId="CRED", outcome="UPHELD",
          creditAmount="100.00")
    statuses = {i.id: (i.status, i.paid_on) for i in h.figures("2026-01-10").payments.invoices}
    assert statuses == {"PAID": (InvoiceStatus.PAID, date(2026, 1, 5)),
                        "OFF": (InvoiceStatus.WRITTEN_OFF, None),
                        "CRED": (InvoiceStatus.CREDITED, None)}


@pytest.mark.parametrize(("days_past_due", "expected"), [
    (-1, AgingBucket.CURRENT), (0, AgingBucket.CURRENT), (1, AgingBucket.DAYS_1_30),
    (30, AgingBucket.DAYS_1_30), (31, AgingBucket.DAYS_31_60), (60, AgingBucket.DAYS_31_60),
    (61, AgingBucket.DAYS_61_90), (90, AgingBucket.DAYS_61_90), (91, AgingBucket.DAYS_90_PLUS),
])
def test_aging_buckets_by_days_past_due(days_past_due: int, expected: AgingBucket) -> None:
    assert bucket(days_past_due) is expected


@pytest.mark.parametrize(("as_of", "expected"), [
    ("2026-01-31", "CURRENT"), ("2026-03-02", "DAYS_1_30"), ("2026-03-03", "DAYS_31_60"),
    ("2026-04-01", "DAYS_31_60"), ("2026-04-02", "DAYS_61_90"), ("2026-05-01", "DAYS_61_90"),
    ("2026-05-02", "DAYS_90_PLUS"),
])
def test_an_invoice_moves_through_the_aging_buckets(history: Make, as_of: str,
                                                    expected: str) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "100.00")  # due 2026-01-31: +30 days is 2026-03-02
    assert aging(h.figures(as_of).payments) == {expected: "100.00"}


def test_dso_divides_what_is_outstanding_by_what_was_invoiced_in_the_90_days_up_to_as_of(
        history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "1000.00")
    h.invoice("B", "2026-02-01", "500.00")
    h.pay("PAY1", "2026-02-10", "750.00")
    # 2026-03-31: the 90 days up to it start after 2025-12-31, so A and B count
    assert h.figures("2026-03-31").payments.dso == pytest.approx(750 / 1500 * 90)
    # 2026-04-01: A (issued 90 days before) is out of the window
    assert h.figures("2026-04-01").payments.dso == pytest.approx(750 / 500 * 90)
    # nothing invoiced in the 90 days: no DSO rather than a made-up number
    assert h.figures("2026-05-02").payments.dso is None


def test_days_to_pay_and_days_beyond_terms_of_a_paid_invoice(history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "100.00")  # due 2026-01-31
    h.invoice("B", "2026-01-01", "300.00")
    h.pay("PAY1", "2026-02-10", "100.00", invoice="A")  # 40 days, 10 beyond terms
    h.pay("PAY2", "2026-01-21", "300.00", invoice="B")  # 20 days, early
    payments = h.figures("2026-02-10").payments
    by_id = {i.id: (i.days_to_pay, i.days_beyond_terms) for i in payments.invoices}
    assert by_id == {"A": (40, 10), "B": (20, 0)}
    assert payments.average_days_to_pay == 30.0
    assert payments.average_days_beyond_terms == pytest.approx((100 * 10 + 300 * 0) / 400)


def test_averages_are_null_when_nothing_was_paid(history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "100.00")
    payments = h.figures("2026-01-10").payments
    assert (payments.average_days_to_pay, payments.average_days_beyond_terms) == (None, None)
    assert (str(payments.invoiced), str(payments.received)) == ("100.00", "0.00")
    assert payments.invoices[0].paid_on is None


def test_amounts_have_two_decimal_places(history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "100")
    payments = h.figures("2026-01-01").payments
    assert payments.invoiced == Decimal("100.00")
    assert str(payments.invoiced) == "100.00"
    assert all(str(a.amount).endswith(".00") for a in payments.aging)


def test_the_lists_of_invoices_and_payments_are_built_once_when_first_read(
        history: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    """Most readers never look at them (a card, the index): they cost nothing until read,
    then read as the tuples they stand for, built once."""
    h = history()
    h.invoice("A", "2026-01-01", "100.00")
    h.pay("PAY1", "2026-01-10", "40.00")
    built: list[str] = []
    real = payments_module._invoice
    monkeypatch.setattr(payments_module, "_invoice",
                        lambda *args: built.append("invoice") or real(*args))
    payments = h.figures("2026-01-20").payments
    assert str(payments.outstanding) == "60.00"
    assert built == []
    assert money(payments) == {"A": ("60.00", "OPEN")}
    assert len(payments.invoices) == 1
    assert payments.invoices[0].id == "A"
    assert built == ["invoice"]
    assert payments.invoices == tuple(payments.invoices)
    assert [p.id for p in payments.payments] == ["PAY1"]


def test_the_lists_refuse_to_be_read_from_a_state_that_has_moved_on(
        history: Make) -> None:
    """Figures stay true to the state they were computed from: once its accounts move
    (here, an invoice folded into the same state in place), lists not yet built are
    refused rather than built from the newer money."""
    h = history()
    h.invoice("A", "2026-01-01", "100.00")
    state = h.state()
    read_early = figures_of(state, "2026-01-20")
    read_late = figures_of(state, "2026-01-20")
    assert [i.id for i in read_early.invoices] == ["A"]
    h.invoice("B", "2026-01-15", "50.00")
    (newer,) = [r.event for r in h.ledger.stream(h.ref)][-1:]
    evolve(state, newer)
    assert [i.id for i in read_early.invoices] == ["A"]  # built before: as it was
    with pytest.raises(RuntimeError, match="after the state"):
        list(read_late.invoices)


def figures_of(state: ClientState, on: str) -> PaymentHistory:
    return figures(state, date.fromisoformat(on)).payments

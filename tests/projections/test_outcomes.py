"""Promises and expectations against what happened."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from domain.values import Party
from projections.figures.gap import SideGap
from projections.figures.outcomes import GapItem, ItemStatus
from tests.support.histories import History

Make = Callable[..., History]


def item(side: SideGap, item_id: str) -> GapItem:
    return next(i for i in side.items if i.id == item_id)


def outcome(i: GapItem) -> tuple[str, date | None, int | None]:
    return i.status.value, i.actual_on, i.delay_days


def payment_promise(h: History, due: str = "2026-03-10", amount: str = "500.00") -> None:
    h.invoice("A", "2026-02-01", "500.00")
    h.promise("PTP", "2026-03-01", due, by="CLIENT", kind="PAYMENT", amount=amount,
              invoiceId="A")


def test_a_payment_promise_paid_in_full_on_its_due_date_is_kept_on_time(history: Make) -> None:
    h = history()
    payment_promise(h)
    h.pay("PAY1", "2026-03-10", "500.00", invoice="A")
    ptp = item(h.figures("2026-03-20").gap.client, "PTP")
    assert outcome(ptp) == ("KEPT", date(2026, 3, 10), 0)
    assert (ptp.fulfilment, str(ptp.actual_amount)) == (1.0, "500.00")


def test_a_payment_promise_paid_the_day_after_is_broken_the_day_after(history: Make) -> None:
    h = history()
    payment_promise(h)
    h.pay("PAY1", "2026-03-11", "500.00", invoice="A")
    assert outcome(item(h.figures("2026-03-10").gap.client, "PTP")) == ("OPEN", None, None)
    broken = item(h.figures("2026-03-20").gap.client, "PTP")
    assert outcome(broken) == ("BROKEN", date(2026, 3, 11), 1)
    assert (broken.fulfilment, str(broken.actual_amount)) == (0.0, "0.00")


def test_partial_payments_add_up_and_money_before_the_promise_does_not_count(
        history: Make) -> None:
    h = history()
    h.invoice("A", "2026-02-01", "800.00")
    h.pay("PAY0", "2026-02-20", "300.00", invoice="A")
    h.promise("PTP", "2026-03-01", "2026-03-10", by="CLIENT", kind="PAYMENT",
              amount="500.00", invoiceId="A")
    h.pay("PAY1", "2026-03-03", "200.00", invoice="A")
    assert outcome(item(h.figures("2026-03-05").gap.client, "PTP")) == ("OPEN", None, None)
    h.pay("PAY2", "2026-03-08", "300.00", invoice="A")
    assert outcome(item(h.figures("2026-03-20").gap.client, "PTP")) == (
        "KEPT", date(2026, 3, 8), -2)


def test_a_payment_promise_naming_no_invoice_counts_any_payment(history: Make) -> None:
    h = history()
    h.invoice("A", "2026-02-01", "500.00")
    h.promise("PTP", "2026-03-01", "2026-03-10", by="CLIENT", kind="PAYMENT", amount="200.00")
    h.pay("PAY1", "2026-03-04", "250.00")
    kept = item(h.figures("2026-03-20").gap.client, "PTP")
    assert (outcome(kept), str(kept.actual_amount)) == (("KEPT", date(2026, 3, 4), -6),
                                                        "250.00")


def test_a_renegotiation_is_shown_beside_the_yardstick_and_never_moves_it(
        history: Make) -> None:
    h = history()
    h.promise("P1", "2026-03-01", "2026-03-10")
    h.add("PromiseRenegotiated", "2026-03-05", promiseId="P1", newDueOn="2026-03-20",
          reason="parts late")
    overdue = item(h.figures("2026-03-12").gap.vendor, "P1")
    assert outcome(overdue) == ("OVERDUE", None, 2)
    assert (overdue.expected_on, overdue.current_due_on, overdue.renegotiations) == (
        date(2026, 3, 10), date(2026, 3, 20), 1)
    h.add("PromiseKept", "2026-03-15", promiseId="P1")
    kept = item(h.figures("2026-03-20").gap.vendor, "P1")
    assert outcome(kept) == ("KEPT", date(2026, 3, 15), 5)
    assert kept.fulfilment == pytest.approx(1 - 5 / 30)


def test_a_renegotiated_payment_promise_is_kept_by_its_new_date_but_late(
        history: Make) -> None:
    h = history()
    payment_promise(h)
    h.add("PromiseRenegotiated", "2026-03-08", promiseId="PTP", newDueOn="2026-03-25",
          reason="cash flow")
    h.pay("PAY1", "2026-03-20", "500.00", invoice="A")
    assert outcome(item(h.figures("2026-03-30").gap.client, "PTP")) == (
        "KEPT", date(2026, 3, 20), 10)


def test_fulfilment_is_one_on_time_less_when_late_and_nothing_after_thirty_days(
        history: Make) -> None:
    h = history()
    for n, kept_on in enumerate(["2026-03-09", "2026-03-25", "2026-04-09", "2026-04-30"]):
        h.promise(f"P{n}", "2026-03-01", "2026-03-10")
        h.add("PromiseKept", kept_on, promiseId=f"P{n}")
    h.promise("P9", "2026-03-01", "2026-03-10")
    h.add("PromiseBroken", "2026-03-12", promiseId="P9", reason="could not")
    scores = {i.id: i.fulfilment for i in h.figures("2026-05-01").gap.vendor.items}
    assert scores == {"P0": 1.0, "P1": 0.5, "P2": 0.0, "P3": 0.0, "P9": 0.0}


def test_a_cancelled_promise_is_listed_but_excluded_from_every_figure(history: Make) -> None:
    h = history()
    h.promise("P1", "2026-03-01", "2026-03-10")
    h.promise("P2", "2026-03-01", "2026-03-10")
    h.add("PromiseCancelled", "2026-03-05", promiseId="P2", reason="both agreed")
    vendor = h.figures("2026-03-20").gap.vendor
    assert [(i.id, i.status) for i in vendor.items] == [("P1", ItemStatus.OVERDUE),
                                                       ("P2", ItemStatus.CANCELLED)]
    assert (vendor.counted, vendor.overdue, vendor.open) == (1, 1, 0)
    assert item(vendor, "P2").fulfilment is None


def test_the_obligor_of_an_expectation_is_the_party_that_does_not_hold_it(
        history: Make) -> None:
    h = history()
    h.add("ExpectationRecorded", "2026-03-01", expectationId="E1", heldBy="CLIENT",
          kind="DELIVERY", description="fast", expectedOn="2026-03-05")
    gap = h.figures("2026-03-01").gap
    assert [i.obligor for i in gap.vendor.items] == [Party.VENDOR]
    assert gap.client.items == ()


def test_an_expectation_without_a_date_is_never_overdue_and_on_time_when_met(
        history: Make) -> None:
    h = history()
    h.add("ExpectationRecorded", "2026-01-01", expectationId="E1", heldBy="VENDOR",
          kind="PURCHASE", description="will buy", expectedAmount="5000.00")
    assert outcome(item(h.figures("2027-01-01").gap.client, "E1")) == ("OPEN", None, None)
    h.add("ExpectationMet", "2026-06-01", expectationId="E1", actualAmount="4000.00")
    client = h.figures("2026-06-01").gap.client
    assert outcome(item(client, "E1")) == ("MET", date(2026, 6, 1), None)
    assert (client.on_time, str(client.expected_amount), str(client.realized_amount)) == (
        1, "5000.00", "4000.00")
    assert client.realization_rate == pytest.approx(0.8)
    # undated: it belongs to the window by the date it was met
    assert h.figures("2027-05-31").gap.client.counted == 1
    assert h.figures("2027-06-01").gap.client.counted == 0


def test_a_revision_that_gives_a_date_sets_the_yardstick(history: Make) -> None:
    h = history()
    h.add("ExpectationRecorded", "2026-01-01", expectationId="E1", heldBy="CLIENT",
          kind="SUPPORT", description="help", expectedAmount="100.00")
    h.add("ExpectationRevised", "2026-01-10", expectationId="E1", expectedOn="2026-01-20",
          reason="a date")
    h.add("ExpectationRevised", "2026-01-15", expectationId="E1", expectedOn="2026-02-01",
          reason="later")
    revised = item(h.figures("2026-01-25").gap.vendor, "E1")
    assert outcome(revised) == ("OVERDUE", None, 5)
    assert (revised.expected_on, revised.current_due_on, revised.renegotiations) == (
        date(2026, 1, 20), date(2026, 2, 1), 2)


@pytest.mark.parametrize(("as_of", "counted"), [("2027-03-09", 1), ("2027-03-10", 0)])
def test_a_settled_item_stays_in_the_window_for_365_days_after_its_expected_date(
        history: Make, as_of: str, counted: int) -> None:
    h = history()
    h.promise("P1", "2026-03-01", "2026-03-10")
    h.add("PromiseKept", "2026-03-10", promiseId="P1")
    assert h.figures(as_of).gap.vendor.counted == counted


def test_an_open_item_is_always_in_the_window_and_an_early_one_counts_at_once(
        history: Make) -> None:
    h = history(onboarded="2024-01-01")
    h.promise("OLD", "2024-01-01", "2024-02-01")
    h.promise("EARLY", "2026-03-01", "2026-12-31")
    h.add("PromiseKept", "2026-03-02", promiseId="EARLY")
    vendor = h.figures("2026-03-02").gap.vendor
    assert {i.id: outcome(i) for i in vendor.items} == {
        "OLD": ("OVERDUE", None, 760), "EARLY": ("KEPT", date(2026, 3, 2), -304)}
    assert (vendor.on_time, vendor.overdue, vendor.counted) == (1, 1, 2)


def test_a_side_with_nothing_to_measure_has_nulls_not_zeros(history: Make) -> None:
    h = history()
    h.promise("P1", "2026-03-01", "2026-03-10")
    vendor = h.figures("2026-03-05").gap.vendor
    assert (vendor.counted, vendor.open) == (0, 1)
    assert (vendor.on_time_rate, vendor.mean_delay_days, vendor.expected_amount,
            vendor.realized_amount, vendor.realization_rate) == (None, None, None, None, None)


def test_the_gap_counts_and_its_mean_delay_leaves_out_what_never_arrived(
        history: Make) -> None:
    h = history()
    h.promise("ON_TIME", "2026-03-01", "2026-03-10")
    h.add("PromiseKept", "2026-03-09", promiseId="ON_TIME")
    h.promise("LATE", "2026-03-01", "2026-03-10")
    h.add("PromiseKept", "2026-03-14", promiseId="LATE")
    h.promise("BROKEN", "2026-03-01", "2026-03-10")
    h.add("PromiseBroken", "2026-03-30", promiseId="BROKEN", reason="no")
    h.promise("OVERDUE", "2026-03-01", "2026-03-22")
    h.promise("OPEN", "2026-03-01", "2026-04-30")
    vendor = h.figures("2026-04-01").gap.vendor
    assert (vendor.counted, vendor.on_time, vendor.late, vendor.overdue, vendor.broken,
            vendor.open) == (4, 1, 1, 1, 1, 1)
    assert vendor.on_time_rate == 0.25
    assert vendor.mean_delay_days == (4 + 10) / 2


def test_realized_amounts_use_the_kept_amount_or_else_the_current_one(history: Make) -> None:
    h = history()
    h.promise("P1", "2026-03-01", "2026-03-10", by="CLIENT", kind="PURCHASE", amount="100.00")
    h.add("PromiseKept", "2026-03-10", promiseId="P1", amount="80.00")
    h.promise("P2", "2026-03-01", "2026-03-10", by="CLIENT", kind="PURCHASE", amount="100.00")
    h.add("PromiseRenegotiated", "2026-03-02", promiseId="P2", newDueOn="2026-03-10",
          newAmount="50.00", reason="smaller")
    h.add("PromiseKept", "2026-03-10", promiseId="P2")
    h.promise("P3", "2026-03-01", "2026-03-10", by="CLIENT", kind="PURCHASE", amount="100.00")
    client = h.figures("2026-03-11").gap.client
    assert {i.id: (str(i.expected_amount), str(i.actual_amount)) for i in client.items} == {
        "P1": ("100.00", "80.00"), "P2": ("100.00", "50.00"), "P3": ("100.00", "0.00")}
    assert (str(client.expected_amount), str(client.realized_amount)) == ("300.00", "130.00")
    assert client.realization_rate == pytest.approx(130 / 300)

"""The trust score and its components."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from domain.values import Party
from projections.figures import figures
from projections.figures.trust import (
    Band,
    Confidence,
    Trust,
    TrustWeights,
    band,
    confidence,
    punctuality_value,
    weights_from,
)
from tests.support.histories import History

Make = Callable[..., History]


def values(trust: Trust) -> dict[str, float | None]:
    return {c.name: c.value for c in trust.components}


def observations(trust: Trust) -> dict[str, int]:
    return {c.name: c.observations for c in trust.components}


def test_no_history_means_no_score_rather_than_a_made_up_one(history: Make) -> None:
    trust = history().figures("2026-03-01").trust
    assert (trust.score, trust.band, trust.client_side, trust.vendor_side) == (
        None, None, None, None)
    assert trust.confidence is Confidence.LOW
    assert values(trust) == dict.fromkeys(values(trust))
    assert set(observations(trust).values()) == {0}
    assert [(c.name, c.side, c.weight) for c in trust.components] == [
        ("paymentPunctuality", Party.CLIENT, 0.30), ("clientPromises", Party.CLIENT, 0.20),
        ("overdueExposure", Party.CLIENT, 0.10), ("vendorPromises", Party.VENDOR, 0.25),
        ("complaintHandling", Party.VENDOR, 0.15)]


def test_a_component_with_data_can_be_zero_and_one_without_is_absent(history: Make) -> None:
    h = history()
    h.promise("P1", "2026-03-01", "2026-03-10", by="CLIENT", kind="OTHER")
    h.add("PromiseBroken", "2026-03-11", promiseId="P1", reason="forgot")
    trust = h.figures("2026-03-12").trust
    assert values(trust) == {"paymentPunctuality": None, "clientPromises": 0.0,
                             "overdueExposure": None, "vendorPromises": None,
                             "complaintHandling": None}
    assert (trust.score, trust.band, trust.client_side, trust.vendor_side) == (
        0.0, Band.AT_RISK, 0.0, None)


@pytest.mark.parametrize(("days", "value"), [
    (0, 100.0), (7.5, 87.5), (15, 75.0), (22.5, 62.5), (30, 50.0), (45, 37.5), (60, 25.0),
    (75, 17.5), (90, 10.0), (105, 5.0), (120, 0.0), (400, 0.0)])
def test_punctuality_maps_days_beyond_terms_through_the_paydex_like_points(
        days: float, value: float) -> None:
    assert punctuality_value(days) == pytest.approx(value)


def test_punctuality_weighs_paid_allocations_and_overdue_balances_by_amount(
        history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "1000.00")  # due 2026-01-31
    h.pay("PAY1", "2026-02-15", "600.00")  # 15 days beyond terms
    trust = h.figures("2026-03-02").trust  # the other 400 is 30 days past due
    days = (600 * 15 + 400 * 30) / 1000
    assert values(trust)["paymentPunctuality"] == pytest.approx(75 - (days - 15) * 25 / 15)
    assert observations(trust)["paymentPunctuality"] == 2  # one allocation, one overdue invoice


def test_overdue_exposure_compares_what_is_overdue_with_what_was_due_in_the_window(
        history: Make) -> None:
    h = history(onboarded="2024-06-01")
    h.invoice("OLD", "2024-06-01", "500.00")  # due 2024-07-01, still open: its balance counts
    h.pay("PAY1", "2024-06-20", "100.00", invoice="OLD")
    h.invoice("A", "2026-01-01", "1000.00")  # due 2026-01-31
    h.invoice("B", "2026-03-01", "600.00")  # due 2026-03-31, not yet due
    trust = h.figures("2026-03-15").trust
    overdue, exposure = 400 + 1000, 400 + 1000 + 600
    assert values(trust)["overdueExposure"] == pytest.approx(100 * (1 - overdue / exposure))
    assert observations(trust)["overdueExposure"] == 3


def test_a_purchase_hint_never_lowers_the_clients_trust(history: Make) -> None:
    h = history()
    h.add("ExpectationRecorded", "2026-03-01", expectationId="E1", heldBy="VENDOR",
          kind="PURCHASE", description="ready to buy", expectedOn="2026-03-10",
          expectedAmount="5000.00")
    h.add("ExpectationMissed", "2026-03-20", expectationId="E1", note="did not buy")
    figures_ = h.figures("2026-03-21")
    assert values(figures_.trust)["clientPromises"] is None
    assert figures_.gap.client.broken == 1  # it still shows in the gap


@pytest.mark.parametrize(("days_open", "resolved", "value"), [
    (15, False, 100 - 20 * 1.5), (30, False, 100 - 20 * 2), (60, False, 100 - 20 * 2),
    (15, True, 100 - 20 * 0.25)])
def test_complaint_handling_penalises_open_complaints_more_as_they_age(
        history: Make, days_open: int, resolved: bool, value: float) -> None:
    h = history()
    h.add("ComplaintFiled", "2026-03-01", complaintId="C1", raisedBy="CLIENT",
          category="SERVICE_FAILURE", severity="HIGH", description="outage")
    h.add("ComplaintFiled", "2026-03-01", complaintId="C2", raisedBy="VENDOR",
          category="BEHAVIOUR", severity="CRITICAL", description="shouting")
    if resolved:
        h.add("ComplaintResolved", "2026-03-05", complaintId="C1", whatWentWrong="a",
              correction="b", prevention="c")
    state = h.state()
    trust = figures(state, date(2026, 3, 1) + timedelta(days=days_open)).trust
    assert values(trust)["complaintHandling"] == pytest.approx(value)
    assert observations(trust)["complaintHandling"] == 1


def test_complaint_handling_is_present_with_a_vendor_promise_and_no_complaint(
        history: Make) -> None:
    h = history()
    h.promise("P1", "2026-03-01", "2026-03-10")
    trust = h.figures("2026-03-02").trust
    assert values(trust)["complaintHandling"] == 100.0
    assert values(trust)["vendorPromises"] is None  # not yet due: nothing scored
    assert trust.score == 100.0
    assert trust.vendor_side == 100.0


def test_the_score_is_the_weighted_mean_of_the_present_components(history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "1000.00")
    h.pay("PAY1", "2026-03-02", "1000.00")  # 30 days beyond terms: punctuality 50
    h.promise("P1", "2026-03-01", "2026-03-10")
    h.add("PromiseKept", "2026-03-25", promiseId="P1")  # 15 days late: 50
    trust = h.figures("2026-03-31").trust
    assert values(trust) == {"paymentPunctuality": 50.0, "clientPromises": None,
                             "overdueExposure": 100.0, "vendorPromises": 50.0,
                             "complaintHandling": 100.0}
    assert trust.score == pytest.approx((0.3 * 50 + 0.1 * 100 + 0.25 * 50 + 0.15 * 100) / 0.8)
    assert trust.client_side == pytest.approx((0.3 * 50 + 0.1 * 100) / 0.4)
    assert trust.vendor_side == pytest.approx((0.25 * 50 + 0.15 * 100) / 0.4)


def test_weights_can_be_overridden_by_name(history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "1000.00")
    h.pay("PAY1", "2026-03-02", "1000.00")
    weights = weights_from({"paymentPunctuality": "0.9", "overdue_exposure": 0.1})
    assert weights == TrustWeights(payment_punctuality=0.9, overdue_exposure=0.1)
    trust = figures(h.state(), date(2026, 3, 31), weights).trust
    assert trust.score == pytest.approx((0.9 * 50 + 0.1 * 100) / 1.0)
    assert trust.component("paymentPunctuality").weight == 0.9


def test_unknown_or_negative_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown trust component"):
        weights_from({"niceness": 1})
    with pytest.raises(ValueError, match="≥ 0"):
        weights_from({"vendorPromises": -1})
    assert weights_from(None) == TrustWeights()


@pytest.mark.parametrize(("score", "expected"), [
    (100.0, Band.STRONG), (80.0, Band.STRONG), (79.999, Band.STEADY), (60.0, Band.STEADY),
    (59.999, Band.STRAINED), (40.0, Band.STRAINED), (39.999, Band.AT_RISK), (0.0, Band.AT_RISK),
    (None, None)])
def test_bands_start_at_80_60_and_40(score: float | None, expected: Band | None) -> None:
    assert band(score) is expected


@pytest.mark.parametrize(("count", "expected"), [
    (0, Confidence.LOW), (2, Confidence.LOW), (3, Confidence.MEDIUM), (9, Confidence.MEDIUM),
    (10, Confidence.HIGH)])
def test_confidence_grows_with_observations(count: int, expected: Confidence) -> None:
    assert confidence(count) is expected


def test_confidence_counts_promises_expectations_invoices_and_complaints_of_the_window(
        history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "100.00")
    h.promise("P1", "2026-03-01", "2026-03-10")
    h.promise("GONE", "2026-03-01", "2026-03-10")
    h.add("PromiseCancelled", "2026-03-02", promiseId="GONE", reason="agreed")
    assert h.figures("2026-03-02").trust.confidence is Confidence.LOW  # 2: cancelled ignored
    h.add("ComplaintFiled", "2026-03-03", complaintId="C1", raisedBy="VENDOR",
          category="OTHER", severity="LOW", description="x")
    assert h.figures("2026-03-03").trust.confidence is Confidence.MEDIUM

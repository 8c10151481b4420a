"""Each early-warning signal just below and at its threshold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from projections.figures.signals import Signal, SignalKind, signal_onsets
from tests.support.histories import History

Make = Callable[..., History]


def signal(h: History, as_of: str, kind: SignalKind) -> Signal | None:
    return next((s for s in h.figures(as_of).signals if s.kind is kind), None)


def holds(h: History, as_of: str, kind: SignalKind) -> bool:
    return signal(h, as_of, kind) is not None


def test_chronic_late_payer_below_50_punctuality(history: Make) -> None:
    h = history()
    h.invoice("A", "2026-01-01", "100.00")  # due 2026-01-31
    h.invoice("B", "2026-01-01", "100.00")
    h.pay("PAY1", "2026-03-02", "100.00", invoice="A")  # 30 days beyond terms: exactly 50
    assert not holds(h, "2026-03-02", SignalKind.CHRONIC_LATE_PAYER)
    h.pay("PAY2", "2026-03-03", "100.00", invoice="B")  # 31 days: (30 + 31) / 2 = 30.5
    found = signal(h, "2026-03-03", SignalKind.CHRONIC_LATE_PAYER)
    assert found is not None
    assert found.evidence == ("paymentPunctuality is 49.6, below 50",)  # 50 - 0.5 * 25 / 30
    assert found.recommendation


def test_broken_payment_promises_two_in_180_days(history: Make) -> None:
    h = history()
    for n, due in enumerate(["2026-01-10", "2026-03-01", "2026-03-05"]):
        h.promise(f"PTP{n}", "2026-01-05", due, by="CLIENT", kind="PAYMENT", amount="100.00")
    assert not holds(h, "2026-03-01", SignalKind.BROKEN_PAYMENT_PROMISES)  # one overdue
    assert holds(h, "2026-03-02", SignalKind.BROKEN_PAYMENT_PROMISES)  # two
    # PTP0 was expected on 2026-01-10: it leaves the 180 days on 2026-07-09, PTP1 stays
    assert holds(h, "2026-07-08", SignalKind.BROKEN_PAYMENT_PROMISES)
    assert holds(h, "2026-08-27", SignalKind.BROKEN_PAYMENT_PROMISES)  # PTP1 and PTP2
    assert not holds(h, "2026-08-28", SignalKind.BROKEN_PAYMENT_PROMISES)  # PTP1 has left


def test_overcommitting_five_vendor_items_and_under_60_percent_on_time(history: Make) -> None:
    h = history()
    for n in range(5):
        h.promise(f"P{n}", "2026-03-01", "2026-03-10")
    h.add("PromiseKept", "2026-03-10", promiseId="P0")
    h.add("PromiseKept", "2026-03-10", promiseId="P1")
    h.add("PromiseKept", "2026-03-10", promiseId="P2")
    assert not holds(h, "2026-03-11", SignalKind.OVERCOMMITTING)  # 3 of 5: 0.6
    h2 = history(ref="c2")
    for n in range(4):
        h2.promise(f"P{n}", "2026-03-01", "2026-03-10")
    assert not holds(h2, "2026-03-11", SignalKind.OVERCOMMITTING)  # 0 of 4: too few
    h2.promise("P4", "2026-03-01", "2026-03-10")
    h2.add("PromiseKept", "2026-03-10", promiseId="P0")
    h2.add("PromiseKept", "2026-03-10", promiseId="P1")
    found = signal(h2, "2026-03-11", SignalKind.OVERCOMMITTING)  # 2 of 5: 0.4
    assert found is not None
    assert found.evidence == ("2 of 5 vendor commitments on time (40%) in the last 365 days",)


def test_mistreatment_two_behaviour_complaints_raised_by_the_vendor(history: Make) -> None:
    h = history()

    def complaint(complaint_id: str, on: str, by: str, category: str = "BEHAVIOUR") -> None:
        h.add("ComplaintFiled", on, complaintId=complaint_id, raisedBy=by, category=category,
              severity="HIGH", description="rude to our staff")

    complaint("C1", "2026-01-10", "VENDOR")
    complaint("C2", "2026-02-10", "CLIENT")
    complaint("C3", "2026-02-11", "VENDOR", category="BILLING")
    assert not holds(h, "2026-03-01", SignalKind.MISTREATMENT)
    complaint("C4", "2026-03-01", "VENDOR")
    assert holds(h, "2026-03-01", SignalKind.MISTREATMENT)
    assert not holds(h, "2026-07-09", SignalKind.MISTREATMENT)  # C1 is 180 days old


def test_out_of_scope_demands_two_requests_we_do_not_offer(history: Make) -> None:
    h = history()
    h.add("ServiceRequested", "2026-01-10", requestId="R1", description="x", inOffering=False)
    h.add("ServiceRequested", "2026-01-11", requestId="R2", description="y", inOffering=True)
    assert not holds(h, "2026-02-01", SignalKind.OUT_OF_SCOPE_DEMANDS)
    h.add("ServiceRequested", "2026-02-01", requestId="R3", description="z", inOffering=False)
    found = signal(h, "2026-02-01", SignalKind.OUT_OF_SCOPE_DEMANDS)
    assert found is not None
    assert signal_onsets(h.state(), date(2026, 2, 1), [found.kind]) == {
        SignalKind.OUT_OF_SCOPE_DEMANDS: date(2026, 2, 1)}
    assert not holds(h, "2026-07-09", SignalKind.OUT_OF_SCOPE_DEMANDS)


def test_expertise_not_valued_three_of_the_last_five_answers(history: Make) -> None:
    h = history()
    answers = [False, True, True, False, True, False]  # the first falls out of the last five
    for n, accepted in enumerate(answers):
        h.add("AdviceGiven", "2026-02-01", adviceId=f"A{n}", summary="try this")
        h.add("AdviceAnswered", f"2026-02-{n + 2:02d}", adviceId=f"A{n}", accepted=accepted)
    assert not holds(h, "2026-02-07", SignalKind.EXPERTISE_NOT_VALUED)  # 2 of the last 5
    h.add("AdviceGiven", "2026-02-08", adviceId="A9", summary="and this")
    h.add("AdviceAnswered", "2026-02-08", adviceId="A9", accepted=False)
    found = signal(h, "2026-02-08", SignalKind.EXPERTISE_NOT_VALUED)
    assert found is not None
    assert found.evidence == ("3 of the last 5 pieces of advice not accepted: A3, A5, A9",)


def test_contact_cap_reached_in_the_7_days_up_to_as_of(history: Make) -> None:
    h = history(contactCap=3)
    h.contact("K1", "2026-03-01")
    h.contact("K2", "2026-03-03")
    h.contact("K3", "2026-03-05", purpose="SALES")
    h.contact("K4", "2026-03-05", direction="INBOUND")
    assert not holds(h, "2026-03-06", SignalKind.CONTACT_CAP_REACHED)
    h.contact("K5", "2026-03-06")
    assert holds(h, "2026-03-07", SignalKind.CONTACT_CAP_REACHED)
    assert not holds(h, "2026-03-08", SignalKind.CONTACT_CAP_REACHED)  # K1 is 7 days old


def test_unanswered_follow_ups_three_outbound_without_an_answer(history: Make) -> None:
    h = history()
    h.contact("K1", "2026-03-01", answered=False)
    h.contact("K2", "2026-03-02", answered=False)
    assert not holds(h, "2026-03-03", SignalKind.UNANSWERED_FOLLOW_UPS)
    h.contact("K3", "2026-03-03", purpose="SALES", answered=False)
    assert holds(h, "2026-03-03", SignalKind.UNANSWERED_FOLLOW_UPS)
    h.contact("K4", "2026-03-04", direction="INBOUND")
    assert not holds(h, "2026-03-04", SignalKind.UNANSWERED_FOLLOW_UPS)


def test_illusory_pipeline_overdue_or_missed_in_the_last_90_days(history: Make) -> None:
    h = history()
    h.add("ExpectationRecorded", "2026-03-01", expectationId="E1", heldBy="VENDOR",
          kind="PURCHASE", description="ready to buy", expectedOn="2026-03-10",
          expectedAmount="5000.00")
    h.contact("K1", "2026-03-01", purpose="SALES", answered=True)
    assert not holds(h, "2026-03-10", SignalKind.ILLUSORY_PIPELINE)
    assert holds(h, "2026-03-11", SignalKind.ILLUSORY_PIPELINE)
    h.add("ExpectationMissed", "2026-03-20", expectationId="E1", note="not this year")
    assert holds(h, "2026-06-17", SignalKind.ILLUSORY_PIPELINE)  # missed 89 days ago
    assert not holds(h, "2026-06-18", SignalKind.ILLUSORY_PIPELINE)


def test_touch_ground_a_pending_purchase_and_no_contact_for_30_days(history: Make) -> None:
    h = history()
    h.add("ExpectationRecorded", "2026-03-01", expectationId="E1", heldBy="VENDOR",
          kind="PURCHASE", description="ready to buy", expectedOn="2026-09-01",
          expectedAmount="5000.00")
    h.contact("K1", "2026-03-05", direction="INBOUND", purpose="SALES")
    assert not holds(h, "2026-04-03", SignalKind.TOUCH_GROUND)  # contact 29 days ago
    assert holds(h, "2026-04-04", SignalKind.TOUCH_GROUND)
    h.add("ExpectationMet", "2026-04-10", expectationId="E1")
    assert not holds(h, "2026-04-10", SignalKind.TOUCH_GROUND)


def test_signals_come_in_the_order_of_the_schema(history: Make) -> None:
    h = history()
    h.add("ExpectationRecorded", "2026-03-01", expectationId="E1", heldBy="VENDOR",
          kind="PURCHASE", description="ready to buy", expectedOn="2026-03-10",
          expectedAmount="5000.00")
    kinds = [s.kind for s in h.figures("2026-05-01").signals]
    assert kinds == [SignalKind.ILLUSORY_PIPELINE, SignalKind.TOUCH_GROUND]

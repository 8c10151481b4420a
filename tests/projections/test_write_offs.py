"""Write-offs count: money given up on is shown (`writtenOff`) and weighs in the trust
score's paymentPunctuality as the worst payment there is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from projections.figures.signals import SignalKind, signal_onsets
from projections.figures.trust import Band
from tests.support.histories import History

Make = Callable[..., History]
AS_OF = date(2026, 11, 22)


def greyfield(history: Make) -> History:
    """A client ended for non-payment with 6,900 of 16,800 written off (the demo's story,
    on fixed dates; payment terms 30 days)."""
    h = history(ref="greyfield", onboarded="2025-11-27")
    h.promise("SITE", "2025-12-02", "2025-12-22")
    h.add("PromiseKept", "2025-12-20", promiseId="SITE")
    h.invoice("Q1", "2025-12-07", "4200.00")  # due 2026-01-06
    h.pay("P1", "2026-01-01", "4200.00", "Q1")  # 0 days beyond terms
    h.invoice("Q2", "2026-03-07", "4200.00")  # due 2026-04-06
    h.pay("P2", "2026-04-14", "4200.00", "Q2")  # 8 days beyond terms
    h.invoice("Q3", "2026-06-05", "4200.00")  # due 2026-07-05
    h.add("PromiseMade", "2026-07-15", promiseId="PTP", by="CLIENT", kind="PAYMENT",
          description="pay Q3", dueOn="2026-08-04", amount="4200.00", invoiceId="Q3")
    h.pay("P3", "2026-08-02", "1500.00", "Q3")  # 28 days beyond terms; the promise breaks
    h.invoice("Q4", "2026-09-03", "4200.00")  # due 2026-10-03
    for invoice, amount in (("Q3", "2700.00"), ("Q4", "4200.00")):
        h.add("InvoiceWrittenOff", "2026-10-23", invoiceId=invoice, amount=amount,
              reason="judicial reorganisation")
    h.add("RelationshipEnded", "2026-10-23", reason="NON_PAYMENT", note="6,900 written off")
    return h


def test_a_client_ended_for_non_payment_no_longer_scores_steady(history: Make) -> None:
    f = greyfield(history).figures(AS_OF)
    assert str(f.payments.written_off) == "6900.00"
    assert str(f.payments.outstanding) == "0.00"
    # paymentPunctuality: amount-weighted days beyond terms over
    #   the allocations  4200 x 0 (Q1) + 4200 x 8 (Q2) + 1500 x 28 (Q3) =  75,600
    #   the write-offs   2700 x max(120, 2026-10-23 - 2026-07-05 = 110) = 324,000
    #                    4200 x max(120, 2026-10-23 - 2026-10-03 = 20)  = 504,000
    # = 903,600 / 16,800 = 53.786 days, between (30, 50) and (60, 25) of the curve:
    #   50 - 25 x 23.786 / 30 = 30.179 (without the write-offs: 75,600 / 9,900 = 7.64
    #   days -> 87.27, and the score was 76.2 STEADY with no warning).
    punctuality = f.trust.component("paymentPunctuality")
    assert punctuality.value == pytest.approx(50 - 25 * (903600 / 16800 - 30) / 30)
    assert punctuality.value == pytest.approx(30.179, abs=1e-3)
    assert punctuality.observations == 3 + 2  # three allocations, two write-offs
    # clientPromises 0 (the payment promise broke), overdueExposure 100 (nothing overdue
    # of the 16,800 due in the window), vendorPromises 100, complaintHandling 100:
    # score = 0.30 x 30.179 + 0.20 x 0 + 0.10 x 100 + 0.25 x 100 + 0.15 x 100 = 59.05
    assert f.trust.score == pytest.approx(0.30 * punctuality.value + 10 + 25 + 15)
    assert f.trust.score == pytest.approx(59.05, abs=1e-2)
    assert f.trust.band is Band.STRAINED
    assert SignalKind.CHRONIC_LATE_PAYER in {s.kind for s in f.signals}


def test_the_late_payer_signal_begins_on_the_day_of_the_write_offs(history: Make) -> None:
    # the day before, Q3 (2,700, 109 days past due) and Q4 (4,200, 19 days) were overdue:
    # (75,600 + 294,300 + 79,800) / 16,800 = 26.77 days -> 55.4, not below 50
    state = greyfield(history).state()
    onsets = signal_onsets(state, AS_OF, [SignalKind.CHRONIC_LATE_PAYER])
    assert onsets[SignalKind.CHRONIC_LATE_PAYER] == date(2026, 10, 23)


def test_a_write_off_leaves_the_window_after_a_year(history: Make) -> None:
    h = greyfield(history)
    later = h.figures(date(2027, 10, 24))  # 2026-10-23 is no longer in the 365 days
    assert later.trust.component("paymentPunctuality").value is None
    assert str(later.payments.written_off) == "6900.00"  # what was given up stays shown

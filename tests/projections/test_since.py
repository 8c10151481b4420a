"""`since`: the sweep over a year agrees with the rules asked day by day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from domain.ledger import Ledger
from projections.figures.signals import SignalKind, signal_onsets
from projections.state import ClientState
from tests.support.histories import History, import_lines, new_ledger, scenarios_folder, state_of
from tests.support.onsets import assert_same_days

Make = Callable[..., History]


@pytest.fixture(scope="module")
def scenario_states(tmp_path_factory: pytest.TempPathFactory) -> list[ClientState]:
    folder = scenarios_folder()
    states = []
    for path in sorted(folder.glob("*.jsonl")):
        ledger: Ledger = new_ledger(tmp_path_factory.mktemp(path.stem))
        states += [state_of(ledger, ref) for ref in import_lines(ledger, path)]
    return states


@pytest.mark.slow
def test_the_sweep_agrees_with_the_rules_on_every_day_of_every_scenario_client(
        scenario_states: list[ClientState]) -> None:
    for state in scenario_states:
        last = max([state.onboarded_on, *(m.on for m in state.money),
                    *(c.on for c in state.contacts)])
        first = state.onboarded_on - timedelta(days=3)
        assert_same_days(state, first, (last - first).days + 40)


def test_since_is_the_first_day_of_the_current_run(history: Make) -> None:
    h = history()
    h.add("ServiceRequested", "2026-01-10", requestId="R1", description="x", inOffering=False)
    h.add("ServiceRequested", "2026-03-01", requestId="R2", description="x", inOffering=False)
    state = h.state()
    assert signal_onsets(state, date(2026, 5, 1), [SignalKind.OUT_OF_SCOPE_DEMANDS]) == {
        SignalKind.OUT_OF_SCOPE_DEMANDS: date(2026, 3, 1)}


def test_since_is_null_when_the_run_is_older_than_a_year(history: Make) -> None:
    h = history(onboarded="2024-01-01")
    h.add("ExpectationRecorded", "2024-01-02", expectationId="E1", heldBy="VENDOR",
          kind="PURCHASE", description="ready to buy", expectedOn="2024-02-01",
          expectedAmount="100.00")
    state = h.state()
    assert signal_onsets(state, date(2026, 5, 1), [SignalKind.ILLUSORY_PIPELINE]) == {
        SignalKind.ILLUSORY_PIPELINE: None}
    assert signal_onsets(state, date(2024, 6, 1), [SignalKind.ILLUSORY_PIPELINE]) == {
        SignalKind.ILLUSORY_PIPELINE: date(2024, 2, 2)}


def test_the_sweep_follows_balances_that_plans_share(history: Make) -> None:
    """The sweep recounts only the balances an event touched; under a plan an event on
    one invoice moves the others' (their instalments are shared), and an invoice moving
    to another plan moves those left in the old one."""
    h = history(onboarded="2025-01-01", paymentTermsDays=30)
    h.invoice("A", "2025-01-10", "1000.00")  # due 2025-02-09
    h.invoice("B", "2025-01-15", "600.00")  # due 2025-02-14
    h.add("PaymentPlanAgreed", "2025-02-20", planId="PL1", invoiceIds=["A", "B"],
          instalments=[{"dueOn": "2025-03-01", "amount": "500.00"},
                       {"dueOn": "2025-04-01", "amount": "500.00"},
                       {"dueOn": "2025-05-01", "amount": "600.00"}])
    h.pay("P1", "2025-03-10", "400.00", "A")
    # 300 of A written off: the plan's schedule is trimmed from its end, so that B's
    # balance falls due 300 on 2025-04-01 and 300 on 2025-05-01 instead of 600 on 05-01
    h.add("InvoiceWrittenOff", "2025-03-20", invoiceId="A", amount="300.00", reason="agreed")
    h.add("PaymentPlanAgreed", "2025-04-10", planId="PL2", invoiceIds=["A"],
          instalments=[{"dueOn": "2025-08-01", "amount": "300.00"}])  # B alone in PL1
    h.add("InvoiceDisputed", "2025-05-05", invoiceId="B", reason="wrong rate")
    h.add("InvoiceDisputeResolved", "2025-06-01", invoiceId="B", outcome="UPHELD",
          creditAmount="100.00")
    h.pay("P2", "2025-06-10", "500.00")
    h.add("PaymentReversed", "2025-06-20", paymentId="P2", reason="bounced")
    h.invoice("C", "2025-07-01", "200.00")
    h.pay("P3", "2025-09-15", "200.00", "C")
    assert_same_days(h.state(), date(2024, 12, 29), 420)  # paymentPunctuality included

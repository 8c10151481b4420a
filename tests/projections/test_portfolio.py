"""The portfolio across clients."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from projections.figures import ClientFigures
from projections.figures.portfolio import ClientOrder, index_entry, ordered, portfolio
from projections.figures.signals import SignalKind
from projections.figures.trust import Band
from tests.support.histories import History

Make = Callable[..., History]
AS_OF = "2026-03-31"


def three_clients(history: Make) -> list[ClientFigures]:
    strong = history(ref="strong")
    strong.invoice("A", "2026-01-01", "1000.00")
    strong.pay("PAY1", "2026-01-20", "1000.00")
    late = history(ref="late")
    late.invoice("A", "2026-01-01", "500.00")  # 59 days past due on 2026-03-31
    late.invoice("B", "2026-03-20", "200.00")
    dollars = history(ref="dollars", currency="USD")
    dollars.invoice("A", "2026-03-01", "300.00")
    new = history(ref="new")
    return [h.figures(AS_OF) for h in (strong, late, dollars, new)]


def test_counts_by_band_unscored_totals_per_currency_and_signals(history: Make) -> None:
    clients = three_clients(history)
    summary = portfolio(clients, date.fromisoformat(AS_OF))
    assert (summary.clients, summary.unscored) == (4, 1)
    bands = {b.band: b.count for b in summary.by_band}
    assert list(bands) == list(Band)
    assert sum(bands.values()) == 3
    totals = {t.currency: (str(t.outstanding), str(t.overdue),
                           {a.bucket.value: str(a.amount) for a in t.aging if a.amount})
              for t in summary.totals}
    assert totals == {
        "EUR": ("700.00", "500.00", {"CURRENT": "200.00", "DAYS_31_60": "500.00"}),
        "USD": ("300.00", "0.00", {"CURRENT": "300.00"})}
    signals = {s.kind: s.count for s in summary.signals}
    assert list(signals) == list(SignalKind)
    assert signals[SignalKind.CHRONIC_LATE_PAYER] == 1


def test_index_entries_give_the_same_portfolio_as_the_figures(history: Make) -> None:
    clients = three_clients(history)
    on = date.fromisoformat(AS_OF)
    assert portfolio([index_entry(c) for c in clients], on) == portfolio(clients, on)


def test_clients_by_score_with_unscored_ones_last(history: Make) -> None:
    clients = three_clients(history)
    scores = {c.ref: c.trust.score for c in clients}
    assert scores["strong"] == scores["dollars"] == 100.0
    assert scores["late"] is not None
    assert scores["late"] < 100
    assert scores["new"] is None
    ascending = [c.ref for c in ordered(clients, ClientOrder.SCORE_ASC)]
    descending = [c.ref for c in ordered(clients, ClientOrder.SCORE_DESC)]
    assert ascending == ["late", "dollars", "strong", "new"]  # ties by ref
    assert descending == ["dollars", "strong", "late", "new"]
    assert next(c.ref for c in ordered(clients, ClientOrder.OUTSTANDING_DESC)) == "late"

"""Figures as terminal tables, for `palabra client`, `palabra portfolio` and the demo."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from rich.console import Group
from rich.markup import escape
from rich.text import Text

from api.cli.tables import Column, FittedTable
from projections.figures import ClientFigures
from projections.figures.contact_policy import ContactPolicy
from projections.figures.gap import SideGap
from projections.figures.portfolio import IndexEntry, Portfolio
from projections.figures.signals import SignalKind

BAND_STYLE = {"STRONG": "green", "STEADY": "cyan", "STRAINED": "yellow", "AT_RISK": "red"}


def _number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _money(amount: Decimal | None, currency: str = "") -> str:
    if amount is None:
        return "—"
    return f"{amount:,.2f}" + (f" {currency}" if currency else "")


def _band(band: str | None) -> Text:
    return Text(band or "unscored", style=BAND_STYLE.get(band or "", "dim"))


def client_tables(f: ClientFigures, onsets: Mapping[SignalKind, date | None],
                  policy: ContactPolicy | None = None) -> Group:
    """Everything about one client as of a date, readable in a terminal (`onsets`: when
    each signal began)."""
    trust = f.trust
    title = Text.assemble(
        (f"{f.name} ", "bold"), (f"({f.ref})", "dim"),
        f" as of {f.as_of} · {f.state.value.lower()}",
        f" ({f.end_reason.value})" if f.end_reason else "",
        f" · version {f.version}")
    score = FittedTable([Column("component"), Column("side"), Column("weight", right=True),
                         Column("value", right=True), Column("observations", 1, right=True)],
                        title="Trust")
    for c in trust.components:
        score.add_row(c.name, c.side.value, f"{c.weight:.2f}", _number(c.value),
                      str(c.observations))
    score.add_row(Text("score", style="bold"), "", "",
                  Text(_number(trust.score), style="bold"), "")
    score.caption = Text.assemble(
        "band ", _band(trust.band.value if trust.band else None),
        f" · confidence {trust.confidence.value} · client side {_number(trust.client_side)}"
        f" · vendor side {_number(trust.vendor_side)}")

    gap = FittedTable([
        Column("obligor"), Column("counted", right=True), Column("on time", 2, right=True),
        Column("late", 2, right=True), Column("overdue", 2, right=True),
        Column("broken", 2, right=True), Column("open", 3, right=True),
        Column("on time %", right=True), Column("mean delay", 1, right=True),
        Column("expected", right=True), Column("realized", right=True)],
        title="Expectations vs reality")
    for side, g in (("VENDOR", f.gap.vendor), ("CLIENT", f.gap.client)):
        gap.add_row(side, *_side(g, f.currency))

    p = f.payments
    money = FittedTable([
        Column("invoiced", right=True), Column("received", right=True),
        Column("outstanding", right=True), Column("overdue", right=True),
        Column("credit", 2, right=True), Column("written off", 1, right=True),
        Column("DSO", 1, right=True), Column("days to pay", 3, right=True),
        Column("beyond terms", 1, right=True)],
        title="Payments")
    money.add_row(_money(p.invoiced), _money(p.received), _money(p.outstanding),
                  _money(p.overdue), _money(p.credit), _money(p.written_off), _number(p.dso),
                  _number(p.average_days_to_pay), _number(p.average_days_beyond_terms))
    money.caption = "aging: " + " · ".join(
        f"{a.bucket.value} {_money(a.amount)}" for a in p.aging) + f" ({p.currency})"

    parts: list[FittedTable | Text] = [title, score, gap, money]
    if f.signals:
        warn = FittedTable([Column("signal"), Column("since"),
                            Column("evidence", fold=True), Column("what to do", 1, fold=True)],
                           title="Signals")
        for s in f.signals:
            warn.add_row(Text(s.kind.value, style="bold yellow"),
                         since.isoformat() if (since := onsets.get(s.kind)) else "—",
                         escape("; ".join(s.evidence)), escape(s.recommendation))
        parts.append(warn)
    else:
        parts.append(Text("No warning signals.", style="green"))
    if policy is not None:
        parts.append(Text(
            f"Collection contact on {f.as_of}: {policy.reason}"
            + ("" if policy.allowed or policy.next_allowed_on is None
               else f" (next on {policy.next_allowed_on})")))
    return Group(*parts)


def _side(g: SideGap, currency: str) -> list[str]:
    rate = "—" if g.on_time_rate is None else f"{g.on_time_rate:.0%}"
    delay = "—" if g.mean_delay_days is None else f"{g.mean_delay_days:.1f} d"
    return [str(g.counted), str(g.on_time), str(g.late), str(g.overdue), str(g.broken),
            str(g.open), rate, delay, _money(g.expected_amount), _money(g.realized_amount)]


def portfolio_tables(p: Portfolio, clients: Sequence[IndexEntry]) -> Group:
    """The portfolio's summary and a page of its clients."""
    bands = Text.assemble(*[part for b in p.by_band for part in (
        _band(b.band.value), f" {b.count}   ")], ("unscored ", "dim"), str(p.unscored))
    totals = FittedTable([
        Column("currency"), Column("outstanding", right=True), Column("overdue", right=True),
        Column("written off", 1, right=True), Column("current", 1, right=True),
        *[Column(bucket, right=True) for bucket in ("1-30", "31-60", "61-90", "90+")]],
        title=f"Portfolio as of {p.as_of}: {p.clients} clients")
    for t in p.totals:
        totals.add_row(t.currency, _money(t.outstanding), _money(t.overdue),
                       _money(t.written_off), *[_money(a.amount) for a in t.aging])
    signals = Text("signals: " + (", ".join(f"{s.kind.value} {s.count}" for s in p.signals
                                             if s.count) or "none"))
    table = FittedTable([
        Column("client"), Column("name", fold=True), Column("score", right=True),
        Column("band"), Column("outstanding", right=True), Column("overdue", 2, right=True),
        Column("state", 3), Column("signals", 1, fold=True)])
    for e in clients:
        table.add_row(e.ref, escape(e.name), _number(e.score), _band(e.band),
                      _money(e.outstanding, e.currency), _money(e.overdue), e.state.lower(),
                      ", ".join(e.signals))
    return Group(totals, bands, signals, table)

"""Figures across clients as of a date: bands, totals per currency, signals.

A client enters the portfolio as an `IndexEntry`: the few figures lists sort,
filter and total on, taken from the very `figures()` a single client is
answered with (`index_entry`), so lists and single clients always agree.
`portfolio` sums entries (or whole client figures) of one `as_of`; `ordered`
sorts clients the way the API lists them (scores ascending or descending,
nulls last, ties by ref).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from domain.values import ZERO
from projections.figures.client import ClientFigures
from projections.figures.payments import AgingAmount, AgingBucket
from projections.figures.signals.kinds import SignalKind
from projections.figures.trust import Band

Aging = tuple[Decimal, Decimal, Decimal, Decimal, Decimal]  # CURRENT ... DAYS_90_PLUS


@dataclass(frozen=True)
class IndexEntry:
    """A client's row in the portfolio for one business date."""

    ref: str
    version: int
    name: str
    currency: str
    state: str
    score: float | None
    band: str | None
    outstanding: Decimal
    overdue: Decimal
    written_off: Decimal
    aging: Aging
    signals: tuple[str, ...]


def index_entry(client: ClientFigures, version: int | None = None) -> IndexEntry:
    """The portfolio row of a client's figures."""
    amounts = {line.bucket: line.amount for line in client.payments.aging}
    aging = tuple(amounts.get(b, ZERO) for b in AgingBucket)
    return IndexEntry(
        ref=client.ref,
        version=client.version if version is None else version,
        name=client.name,
        currency=client.currency,
        state=client.state.value,
        score=client.trust.score,
        band=client.trust.band.value if client.trust.band else None,
        outstanding=client.payments.outstanding,
        overdue=client.payments.overdue,
        written_off=client.payments.written_off,
        aging=(aging[0], aging[1], aging[2], aging[3], aging[4]),
        signals=tuple(s.kind.value for s in client.signals),
    )


@dataclass(frozen=True)
class BandCount:
    band: Band
    count: int


@dataclass(frozen=True)
class SignalCount:
    kind: SignalKind
    count: int


@dataclass(frozen=True)
class CurrencyTotals:
    currency: str
    outstanding: Decimal
    overdue: Decimal
    written_off: Decimal
    aging: tuple[AgingAmount, ...]


@dataclass(frozen=True)
class Portfolio:
    as_of: date
    clients: int
    by_band: tuple[BandCount, ...]
    unscored: int
    totals: tuple[CurrencyTotals, ...]
    signals: tuple[SignalCount, ...]


class ClientOrder(Enum):
    SCORE_ASC = "SCORE_ASC"
    SCORE_DESC = "SCORE_DESC"
    OUTSTANDING_DESC = "OUTSTANDING_DESC"
    NAME_ASC = "NAME_ASC"


@dataclass(frozen=True)
class Amounts:
    """The money of some clients of one currency: outstanding, overdue, written off, and
    the aging buckets (CURRENT … DAYS_90_PLUS)."""

    outstanding: Decimal
    overdue: Decimal
    written_off: Decimal
    aging: tuple[Decimal, ...]

    def plus(self, other: Amounts) -> Amounts:
        return Amounts(self.outstanding + other.outstanding, self.overdue + other.overdue,
                       self.written_off + other.written_off,
                       tuple(a + b for a, b in zip(self.aging, other.aging, strict=True)))


@dataclass(frozen=True)
class Totals:
    """Sums over a date's index rows: clients by band (None: unscored), per currency the
    amounts (`Amounts`), clients per signal."""

    bands: dict[str | None, int]
    currencies: dict[str, Amounts]
    signals: dict[str, int]

    @classmethod
    def of(cls, clients: Sequence[IndexEntry | ClientFigures]) -> Totals:
        entries = [index_entry(c) if isinstance(c, ClientFigures) else c for c in clients]
        bands: dict[str | None, int] = {}
        kinds: dict[str, int] = {}
        sums: dict[str, Amounts] = {}
        for entry in entries:
            bands[entry.band] = bands.get(entry.band, 0) + 1
            for kind in set(entry.signals):
                kinds[kind] = kinds.get(kind, 0) + 1
            mine = Amounts(entry.outstanding, entry.overdue, entry.written_off, entry.aging)
            total = sums.get(entry.currency)
            sums[entry.currency] = mine if total is None else total.plus(mine)
        return cls(bands, sums, kinds)

    def plus(self, other: Totals) -> Totals:
        """The sums over both sets of clients (no client in both)."""
        bands = {b: self.bands.get(b, 0) + other.bands.get(b, 0)
                 for b in {*self.bands, *other.bands}}
        kinds = {k: self.signals.get(k, 0) + other.signals.get(k, 0)
                 for k in {*self.signals, *other.signals}}
        currencies = dict(self.currencies)
        for currency, amounts in other.currencies.items():
            mine = currencies.get(currency)
            currencies[currency] = amounts if mine is None else mine.plus(amounts)
        return Totals(bands, currencies, kinds)


def portfolio(clients: Sequence[IndexEntry | ClientFigures], as_of: date) -> Portfolio:
    """Counts by band (every band shown), unscored clients, outstanding, overdue and
    aging per currency (sorted by code), and how many clients show each signal
    (every kind shown).  All entries must be of the same `as_of`."""
    return from_totals(Totals.of(clients), as_of)


def from_totals(totals: Totals, as_of: date) -> Portfolio:
    """The portfolio of a date from its sums (`Totals.of` here, or the read model's)."""
    return Portfolio(
        as_of=as_of,
        clients=sum(totals.bands.values()),
        by_band=tuple(BandCount(b, totals.bands.get(b.value, 0)) for b in Band),
        unscored=totals.bands.get(None, 0),
        totals=tuple(CurrencyTotals(currency, a.outstanding, a.overdue, a.written_off,
                                    tuple(AgingAmount(b, amount) for b, amount
                                          in zip(AgingBucket, a.aging, strict=True)))
                     for currency, a in sorted(totals.currencies.items())),
        signals=tuple(SignalCount(k, totals.signals.get(k.value, 0)) for k in SignalKind),
    )


def ordered(clients: Sequence[ClientFigures],
            order: ClientOrder = ClientOrder.SCORE_ASC) -> list[ClientFigures]:
    """Clients in the API's order; ties (and null scores, always last) by ref."""
    if order is ClientOrder.NAME_ASC:
        return sorted(clients, key=lambda c: (c.name.casefold(), c.ref))
    if order is ClientOrder.OUTSTANDING_DESC:
        return sorted(clients, key=lambda c: (-c.payments.outstanding, c.ref))
    sign = 1 if order is ClientOrder.SCORE_ASC else -1
    return sorted(clients, key=lambda c: (c.trust.score is None,
                                          sign * (c.trust.score or 0.0), c.ref))

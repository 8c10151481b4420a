"""The portfolio index: one row per client and business date, what lists sort on.

A day's marker (`palabra_portfolio_days`) says with which trust weights its rows were
computed and up to which position they are complete, so that keeping a day current
only looks at the clients changed since (any process).  Only the projection worker
writes rows (`save_entries`); the read side reads them, leaving out the clients it
computes in memory (`excluding`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from domain.values import stream_id
from projections.figures.portfolio import Amounts, IndexEntry, Totals
from projections.store.client_states import (
    Skip,
    chunks,
    reconnecting,
)
from projections.store.merkle_tree import MerkleTreeTables
from projections.store.schema import AGING, SOURCE

log = logging.getLogger("palabra.view")

CENTS = 100
INDEX_DAYS = 7  # the past days whose index the worker keeps besides today


class ClientsView(MerkleTreeTables):
    """The read models: the client states and the portfolio index; and the Merkle
    tree with its checkpoints."""

    @reconnecting
    def day_marker(self, as_of: date) -> tuple[int, int | None, str | None]:
        """The position of the read models, and the day's marker: the position up to which
        the index rows of `as_of` are complete (None: not, or not yet) and the weights
        they were computed with (None: never indexed) — in one round trip."""
        with self._read() as curs:
            curs.execute(self._sql(
                f"SELECT (SELECT notification_id FROM {self._tracking_table()} "
                "WHERE application_name = %s) AS position, "
                "(SELECT position FROM palabra_portfolio_days WHERE as_of = %s) AS marked, "
                "(SELECT weights FROM palabra_portfolio_days WHERE as_of = %s) AS weights"),
                (SOURCE, as_of.isoformat(), as_of.isoformat()))
            row = curs.fetchone()
        marked = row["marked"]
        return int(row["position"] or 0), None if marked is None else int(marked), row["weights"]

    @reconnecting
    def stale_entries(self, as_of: date, since: int | None = None) -> list[str]:
        """Clients whose index row for `as_of` is missing or older than their state; with
        `since`, only among the clients changed after that position."""
        changed, params = ("", [as_of.isoformat()]) if since is None else (
            "s.position > %s AND ", [as_of.isoformat(), since])
        with self._read() as curs:
            curs.execute(self._sql(
                "SELECT s.client_ref FROM palabra_client_states s "
                "LEFT JOIN palabra_portfolio p ON p.as_of = %s AND p.client_ref = s.client_ref "
                f"WHERE {changed}(p.version IS NULL OR p.version <> s.version) "
                "ORDER BY s.client_ref"), params)
            return [row["client_ref"] for row in curs.fetchall()]

    @reconnecting
    def save_entries(self, as_of: date, entries: Sequence[IndexEntry], weights: str,
                     complete_at: int | None = None, absent: Sequence[str] = ()) -> None:
        """Write index rows of `as_of` computed with `weights` (a row is never replaced by
        one of an older version); `complete_at`: the day is now complete up to there;
        `absent`: clients that are not clients on that day (any row of theirs goes).

        The day's marker row is locked first, so that refreshes of one day (the worker,
        API processes) take turns."""
        day = as_of.isoformat()
        with self._write(derived=True) as curs:
            curs.execute(self._sql("INSERT INTO palabra_portfolio_days (as_of, weights) "
                                   "VALUES (%s, %s) ON CONFLICT (as_of) DO NOTHING"),
                         (day, weights))
            curs.execute(self._sql("SELECT weights FROM palabra_portfolio_days "
                                   f"WHERE as_of = %s{self.lock_clause}"), (day,))
            if curs.fetchone()["weights"] != weights:  # other weights: the day starts over
                curs.execute(self._sql("UPDATE palabra_portfolio_days SET weights = %s, "
                                       "position = NULL WHERE as_of = %s"), (weights, day))
            entries = self._not_older(curs, day, entries)
            self._delete_rows(curs, day, absent)
            refused = self._each(curs, entries, lambda c, some: self._write_entries(c, day, some))
            skipped = [Skip.of(stream_id(e.ref).hex, e.ref, self._state_position(curs, e.ref),
                               "index", error) for e, error in refused]
            for skip in skipped:
                log.error("the portfolio index of %s leaves out client %r, skipped until it "
                          "changes: %s", day, skip.ref, skip.reason)
            self._skip(curs, skipped)
            written = [e.ref for e in entries if e.ref not in {s.ref for s in skipped}]
            for chunk in chunks(written, 500):
                curs.execute(self._sql("DELETE FROM palabra_skipped WHERE what = 'index' AND "
                                       f"client_ref IN ({', '.join(['%s'] * len(chunk))})"),
                             chunk)
            if complete_at is not None:
                curs.execute(self._sql(
                    "UPDATE palabra_portfolio_days SET position = %s WHERE as_of = %s "
                    "AND (position IS NULL OR position < %s)"), (complete_at, day, complete_at))

    def _state_position(self, curs: Any, ref: str) -> int:
        curs.execute(self._sql("SELECT position FROM palabra_client_states "
                               "WHERE client_ref = %s"), (ref,))
        row = curs.fetchone()
        return int(row["position"]) if row else 0

    def _delete_rows(self, curs: Any, day: str, refs: Sequence[str]) -> None:
        """Remove the index rows (and their signals) of these clients on `day`."""
        for chunk in chunks(list(refs), 500):
            marks = ", ".join(["%s"] * len(chunk))
            for table in ("palabra_portfolio", "palabra_portfolio_signals"):
                curs.execute(self._sql(f"DELETE FROM {table} WHERE as_of = %s "
                                       f"AND client_ref IN ({marks})"), [day, *chunk])

    def _write_entries(self, curs: Any, day: str, entries: Sequence[IndexEntry]) -> None:
        self._delete_rows(curs, day, [e.ref for e in entries])
        curs.executemany(self._sql(
            "INSERT INTO palabra_portfolio (as_of, client_ref, version, name, name_key, "
            "currency, state, score, band, outstanding, overdue, written_off, "
            f"{', '.join(AGING)}) VALUES ({', '.join(['%s'] * (12 + len(AGING)))})"),
            [(day, e.ref, e.version, e.name, "", e.currency, e.state,  # name: sealed, unsorted
              e.score, e.band, _cents(e.outstanding), _cents(e.overdue),
              _cents(e.written_off), *(_cents(a) for a in e.aging)) for e in entries])
        signals = [(day, e.ref, kind) for e in entries for kind in e.signals]
        if signals:
            curs.executemany(self._sql("INSERT INTO palabra_portfolio_signals "
                                       "(as_of, client_ref, kind) VALUES (%s, %s, %s)"),
                             signals)

    def _not_older(self, curs: Any, day: str,
                   entries: Sequence[IndexEntry]) -> list[IndexEntry]:
        """The entries not older than the rows already stored for them (another process
        may have written newer ones since these were computed)."""
        stored: dict[str, int] = {}
        for chunk in chunks([e.ref for e in entries], 500):
            curs.execute(self._sql(
                "SELECT client_ref, version FROM palabra_portfolio WHERE as_of = %s "
                f"AND client_ref IN ({', '.join(['%s'] * len(chunk))})"), (day, *chunk))
            stored.update((row["client_ref"], int(row["version"])) for row in curs.fetchall())
        return [e for e in entries if stored.get(e.ref, -1) <= e.version]

    @reconnecting
    def analyze(self) -> None:
        """Refresh the planner's statistics of the index (after a day's rows are built, so
        that a page sorted by score reads the score index)."""
        with self._read() as curs:
            for table in ("palabra_portfolio", "palabra_portfolio_signals"):
                curs.execute(self._sql(f"ANALYZE {table}"))

    @reconnecting
    def forget_entries_before(self, as_of: date) -> None:
        with self._write() as curs:
            for table in ("palabra_portfolio", "palabra_portfolio_signals",
                          "palabra_portfolio_days"):
                curs.execute(self._sql(f"DELETE FROM {table} WHERE as_of < %s"),
                             (as_of.isoformat(),))

    def excluding(self, column: str, refs: Collection[str]) -> tuple[str, list[Any]]:
        """A condition leaving these clients out (any number of them, one parameter)."""
        return f"{column} NOT IN (SELECT value FROM json_each(%s))", [json.dumps(sorted(refs))]

    @reconnecting
    def entries(self, as_of: date, where: str = "", params: Sequence[Any] = (),
                order: str = "p.client_ref", limit: int | None = None) -> list[IndexEntry]:
        """Index rows for a date; `where` and `order` are trusted SQL fragments."""
        statement = "SELECT p.* FROM palabra_portfolio p WHERE p.as_of = %s"
        if where:
            statement += f" AND {where}"
        statement += f" ORDER BY {order}"
        if limit is not None:
            statement += f" LIMIT {int(limit)}"
        with self._read() as curs:
            curs.execute(self._sql(statement), (as_of.isoformat(), *params))
            rows = curs.fetchall()
            kinds: dict[str, list[str]] = {}
            for chunk in chunks([row["client_ref"] for row in rows], 500):
                curs.execute(self._sql(
                    "SELECT client_ref, kind FROM palabra_portfolio_signals WHERE as_of = %s "
                    f"AND client_ref IN ({', '.join(['%s'] * len(chunk))}) "
                    "ORDER BY client_ref, kind"), (as_of.isoformat(), *chunk))
                for row in curs.fetchall():
                    kinds.setdefault(row["client_ref"], []).append(row["kind"])
        return [_entry(row, tuple(kinds.get(row["client_ref"], ()))) for row in rows]

    @reconnecting
    def totals(self, as_of: date, leaving_out: Collection[str] = ()) -> Totals:
        """The portfolio's sums over the index rows of a date, computed by the database,
        leaving out some clients."""
        day = as_of.isoformat()
        rows, params = self.excluding("client_ref", leaving_out) if leaving_out else ("", [])
        where = f"as_of = %s AND {rows}" if rows else "as_of = %s"
        with self._read() as curs:
            curs.execute(self._sql(f"SELECT band, count(*) AS n FROM palabra_portfolio "
                                   f"WHERE {where} GROUP BY band"), (day, *params))
            bands = {row["band"]: int(row["n"]) for row in curs.fetchall()}
            curs.execute(self._sql(
                "SELECT currency, sum(outstanding) AS outstanding, sum(overdue) AS overdue, "
                "sum(written_off) AS written_off, "
                + ", ".join(f"sum({c}) AS {c}" for c in AGING)
                + f" FROM palabra_portfolio WHERE {where} GROUP BY currency"), (day, *params))
            currencies = {row["currency"]: Amounts(
                _money(row["outstanding"]), _money(row["overdue"]), _money(row["written_off"]),
                tuple(_money(row[c]) for c in AGING)) for row in curs.fetchall()}
            curs.execute(self._sql(f"SELECT kind, count(*) AS n FROM palabra_portfolio_signals "
                                   f"WHERE {where} GROUP BY kind"), (day, *params))
            kinds = {row["kind"]: int(row["n"]) for row in curs.fetchall()}
        return Totals(bands, currencies, kinds)

    @reconnecting
    def count_entries(self, as_of: date, where: str = "", params: Sequence[Any] = ()) -> int:
        statement = "SELECT count(*) AS n FROM palabra_portfolio p WHERE p.as_of = %s"
        if where:
            statement += f" AND {where}"
        with self._read() as curs:
            curs.execute(self._sql(statement), (as_of.isoformat(), *params))
            row = curs.fetchone()
            return int(row["n"])


def _entry(row: Any, signals: tuple[str, ...]) -> IndexEntry:
    aging = tuple(_money(row[column]) for column in AGING)
    return IndexEntry(
        ref=row["client_ref"], version=int(row["version"]), name=row["name"],
        currency=row["currency"], state=row["state"],
        score=None if row["score"] is None else float(row["score"]),
        band=row["band"], outstanding=_money(row["outstanding"]),
        overdue=_money(row["overdue"]), written_off=_money(row["written_off"]),
        aging=(aging[0], aging[1], aging[2], aging[3], aging[4]), signals=signals)


def _cents(amount: Decimal) -> int:
    return int(amount * CENTS)


def _money(cents: Any) -> Decimal:
    return (Decimal(int(cents)) / CENTS).quantize(Decimal("0.01"))

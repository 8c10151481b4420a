"""The read models, kept in the same database as the events.

- `palabra_client_states`: each client's folded `ClientState` (MessagePack with
  a format tag, read back by a typed decoder: never code), with its stream
  version and the last position applied to it; a row that does not decode is
  logged and that client folded again from its events (`repair`);
- `palabra_portfolio` (+ `palabra_portfolio_signals`): one row per client and
  business date with what the client list sorts and filters on — score, band,
  outstanding, name, state, signals — computed by the very `figures()` a single
  client is answered with, so lists and single clients always agree;
- `palabra_portfolio_days`: for each business date, the trust weights its rows
  were computed with and the position up to which they are complete, so that
  keeping a day current only looks at the clients changed since (any process);
- `palabra_skipped`: clients the projection could not handle (an event that
  does not fold, an index row the database refuses), skipped until fixed;
- the library's tracking table holds the position of the last event applied.
  On PostgreSQL it is moved only through two SECURITY DEFINER functions (lock,
  move), and never beyond the event store's head: the application role needs
  no UPDATE on it.

Folded states are written with the new position in one transaction that first
locks the tracking row and checks it still holds the position the chunk started
from: two appliers (the runner, a reader catching up) never apply an event
twice, and a crash leaves either the whole chunk or none of it.  The SQL is shared by both
backends; the two classes below only differ in how a transaction is opened.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar, cast

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from eventsourcing.utils import retry

from domain.values import stream_id
from projections.portfolio import IndexEntry, Totals
from projections.state import ClientState, StateFormatError, decode_state, encode_state

log = logging.getLogger("palabra.view")
SOURCE = "Palabra"  # the tracked application: the ledger
STATE_FORMAT = "3"  # bump when ClientState changes shape: the read models are then rebuilt
CENTS = 100
REASON_LIMIT = 500


Method = TypeVar("Method", bound=Callable[..., Any])
Item = TypeVar("Item")


def reconnecting(method: Method) -> Method:
    """A database restart or a lost connection is retried (the library's own policy)."""
    return cast(Method, retry((InterfaceError, OperationalError), max_attempts=10,
                              wait=0.2)(method))


class StaleView(Exception):
    """Someone else applied events since this batch started: start again from the view."""


@dataclass(frozen=True)
class Skip:
    """A client the projection skips: `stream` is its stream id (hex), `ref` its reference
    ('' when its event could not even be read), `what` "fold" or "index"."""

    stream: str
    ref: str
    position: int
    what: str
    reason: str

    @classmethod
    def of(cls, stream: str, ref: str, position: int, what: str, error: BaseException,
           ) -> Skip:
        return cls(stream, _printable(ref), position, what,
                   _printable(f"{type(error).__name__}: {error}")[:REASON_LIMIT])


def _printable(text: str) -> str:
    """Text any database stores: no NUL, no lone surrogate."""
    return text.replace("\x00", "\\0").encode("utf-8", "backslashreplace").decode("utf-8")


Repair = Callable[[str, int], ClientState | None]  # (client, position) -> folded again


TABLES = [
    """CREATE TABLE IF NOT EXISTS palabra_client_states (
        client_ref TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        position BIGINT NOT NULL,
        state {blob} NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS palabra_client_states_position ON palabra_client_states "
    "(position)",
    """CREATE TABLE IF NOT EXISTS palabra_portfolio (
        as_of TEXT NOT NULL,
        client_ref TEXT NOT NULL,
        version INTEGER NOT NULL,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        currency TEXT NOT NULL,
        state TEXT NOT NULL,
        score DOUBLE PRECISION,
        band TEXT,
        outstanding BIGINT NOT NULL,
        overdue BIGINT NOT NULL,
        aging_current BIGINT NOT NULL,
        aging_1_30 BIGINT NOT NULL,
        aging_31_60 BIGINT NOT NULL,
        aging_61_90 BIGINT NOT NULL,
        aging_90_plus BIGINT NOT NULL,
        PRIMARY KEY (as_of, client_ref))""",
    "CREATE INDEX IF NOT EXISTS palabra_portfolio_score ON palabra_portfolio "
    "(as_of, score, client_ref)",
    "CREATE INDEX IF NOT EXISTS palabra_portfolio_outstanding ON palabra_portfolio "
    "(as_of, outstanding, client_ref)",
    "CREATE INDEX IF NOT EXISTS palabra_portfolio_name ON palabra_portfolio "
    "(as_of, name_key, client_ref)",
    """CREATE TABLE IF NOT EXISTS palabra_portfolio_signals (
        as_of TEXT NOT NULL,
        client_ref TEXT NOT NULL,
        kind TEXT NOT NULL,
        PRIMARY KEY (as_of, kind, client_ref))""",
    """CREATE TABLE IF NOT EXISTS palabra_portfolio_days (
        as_of TEXT PRIMARY KEY,
        weights TEXT NOT NULL,
        position BIGINT)""",
    """CREATE TABLE IF NOT EXISTS palabra_skipped (
        stream TEXT PRIMARY KEY,
        client_ref TEXT NOT NULL,
        position BIGINT NOT NULL,
        what TEXT NOT NULL,
        reason TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS palabra_view_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL)""",
]
AGING = ("aging_current", "aging_1_30", "aging_31_60", "aging_61_90", "aging_90_plus")
READ_MODEL_TABLES = ("palabra_client_states", "palabra_portfolio",
                     "palabra_portfolio_signals", "palabra_portfolio_days", "palabra_skipped")


class ClientsView:
    """The queries of the read models; subclasses open transactions for a backend."""

    placeholder = "%s"
    blob = "BYTEA"
    lock_clause = ""
    repair: Repair | None = None  # set by the projector: folds a client again
    skips_recorded = 0  # clients skipped by this process (for the metrics)

    if TYPE_CHECKING:  # provided by the library's tracking recorders
        def max_tracking_id(self, application_name: str) -> int | None: ...

    # provided by the backend classes below
    def _write(self) -> AbstractContextManager[Any]:
        raise NotImplementedError  # pragma: no cover

    def _read(self) -> AbstractContextManager[Any]:
        raise NotImplementedError  # pragma: no cover

    def _tracking_table(self) -> str:
        raise NotImplementedError  # pragma: no cover

    def _events_table(self) -> str:
        raise NotImplementedError  # pragma: no cover

    def _events_key(self) -> str:
        raise NotImplementedError  # pragma: no cover

    def _sql(self, statement: str) -> Any:
        return statement.replace("%s", self.placeholder)

    def close(self) -> None:
        raise NotImplementedError  # pragma: no cover

    # ---- set-up ---------------------------------------------------------------------

    def create_view_tables(self) -> None:
        with self._write() as curs:
            for statement in TABLES:
                curs.execute(self._sql(statement.format(blob=self.blob)))
            curs.execute(self._sql("INSERT INTO palabra_view_meta VALUES (%s, %s) "
                                   "ON CONFLICT (key) DO NOTHING"), ("state_format", STATE_FORMAT))
            self._start_tracking(curs)

    def _start_tracking(self, curs: Any) -> None:
        """The tracking row exists from the start, so that a batch can always lock it."""
        curs.execute(self._sql(f"INSERT INTO {self._tracking_table()} "
                               "(application_name, notification_id) VALUES (%s, 0) "
                               "ON CONFLICT (application_name) DO NOTHING"), (SOURCE,))

    @reconnecting
    def state_format(self) -> str:
        with self._read() as curs:
            curs.execute(self._sql("SELECT value FROM palabra_view_meta WHERE key = %s"),
                         ("state_format",))
            row = curs.fetchone()
            return str(row["value"]) if row else STATE_FORMAT

    # ---- the tracked position -------------------------------------------------------

    @reconnecting
    def position(self) -> int:
        """The position of the last event applied (0: none)."""
        return self.max_tracking_id(SOURCE) or 0

    def _locked_position(self, curs: Any) -> int:
        curs.execute(self._sql(f"SELECT notification_id FROM {self._tracking_table()} "
                               f"WHERE application_name = %s{self.lock_clause}"), (SOURCE,))
        row = curs.fetchone()
        return int(row["notification_id"]) if row else 0

    def _move(self, curs: Any, position: int) -> None:
        """Set the tracked position (in a transaction that locked it)."""
        curs.execute(self._sql(f"UPDATE {self._tracking_table()} SET notification_id = %s "
                               "WHERE application_name = %s"), (position, SOURCE))

    # ---- applying a chunk of events ------------------------------------------------

    @reconnecting
    def apply(self, start: int, end: int, states: Mapping[str, tuple[int, bytes]],
              skipped: Sequence[Skip] = ()) -> list[str]:
        """Write folded states (version, encoded state) and the clients now skipped, and
        move the position from `start` to `end`, in one transaction; StaleView if the
        position is no longer `start`.  Returns the clients whose states the database
        refused: they are skipped too."""
        with self._write() as curs:
            if self._locked_position(curs) != start:
                raise StaleView(f"the view moved past {start}")
            statement = self._sql(
                "INSERT INTO palabra_client_states (client_ref, version, position, state) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (client_ref) DO UPDATE SET "
                "version = excluded.version, position = excluded.position, "
                "state = excluded.state")
            rows = [(ref, version, end, blob) for ref, (version, blob) in states.items()]
            refused = self._each(curs, rows, lambda c, some: c.executemany(statement, some))
            refused_skips = [Skip.of(stream_id(row[0]).hex, row[0], end, "store", error)
                             for row, error in refused]
            self._skip(curs, [*skipped, *refused_skips])
            self._move(curs, end)
        return [s.ref for s in refused_skips]

    @reconnecting
    def replace(self, position: int, states: Mapping[str, tuple[int, bytes]],
                skipped: Sequence[Skip] = ()) -> None:
        """Swap in read models built elsewhere (a parallel rebuild), at `position`, in one
        transaction: readers see the old ones until it commits."""
        with self._write() as curs:
            self._locked_position(curs)
            for table in READ_MODEL_TABLES:
                curs.execute(self._sql(f"DELETE FROM {table}"))
            statement = self._sql(
                "INSERT INTO palabra_client_states (client_ref, version, position, state) "
                "VALUES (%s, %s, %s, %s)")
            rows = [(ref, version, position, blob) for ref, (version, blob) in states.items()]
            refused = self._each(curs, rows, lambda c, some: c.executemany(statement, some))
            self._skip(curs, [*skipped, *(Skip.of(stream_id(row[0]).hex, row[0], position,
                                                  "store", error) for row, error in refused)])
            self._move(curs, position)
            curs.execute(self._sql("UPDATE palabra_view_meta SET value = %s WHERE key = %s"),
                         (STATE_FORMAT, "state_format"))

    def _skip(self, curs: Any, skipped: Sequence[Skip]) -> None:
        self.skips_recorded += len(skipped)
        if skipped:
            curs.executemany(self._sql(
                "INSERT INTO palabra_skipped (stream, client_ref, position, what, reason) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (stream) DO UPDATE SET "
                "client_ref = excluded.client_ref, position = excluded.position, "
                "what = excluded.what, reason = excluded.reason"),
                [(s.stream, s.ref, s.position, s.what, s.reason) for s in skipped])

    @reconnecting
    def skipped(self) -> list[Skip]:
        """The clients the projection skips, until fixed (by a new event or a rebuild)."""
        with self._read() as curs:
            curs.execute(self._sql("SELECT * FROM palabra_skipped ORDER BY position"))
            return [Skip(row["stream"], row["client_ref"], int(row["position"]), row["what"],
                         row["reason"]) for row in curs.fetchall()]

    def _load_states(self, curs: Any, refs: Sequence[str],
                     ) -> tuple[dict[str, ClientState], dict[str, int]]:
        """The states that decode, and the position of each row that does not."""
        found: dict[str, ClientState] = {}
        broken: dict[str, int] = {}
        for chunk in _chunks(list(refs), 500):
            curs.execute(self._sql("SELECT client_ref, position, state FROM "
                                   "palabra_client_states WHERE client_ref IN "
                                   f"({', '.join(['%s'] * len(chunk))})"), chunk)
            for row in curs.fetchall():
                try:
                    found[row["client_ref"]] = decode_state(bytes(row["state"]))
                except StateFormatError as error:
                    log.warning("the stored state of client %r does not decode (%s); folding "
                                "it again from its events", row["client_ref"], error)
                    broken[row["client_ref"]] = int(row["position"])
        return found, broken

    def repaired(self, broken: Mapping[str, int]) -> dict[str, ClientState]:
        """Fold the clients whose rows do not decode again, and store them."""
        repaired: dict[str, ClientState] = {}
        for ref, position in broken.items():
            state = self.repair(ref, position) if self.repair is not None else None
            if state is None:
                continue
            with self._write() as curs:
                curs.execute(self._sql("UPDATE palabra_client_states SET state = %s, "
                                       "version = %s WHERE client_ref = %s AND position = %s"),
                             (encode_state(state), state.version, ref, position))
            repaired[ref] = state
        return repaired

    # ---- reading --------------------------------------------------------------------

    def state(self, ref: str) -> ClientState | None:
        return self.states([ref]).get(ref)

    @reconnecting
    def states(self, refs: Sequence[str]) -> dict[str, ClientState]:
        """The stored states, a row that does not decode folded again and stored (the
        worker's way: the read side uses `stored_states`)."""
        found, broken = self.stored_states(refs)
        if broken:
            found.update(self.repaired(broken))
        return found

    @reconnecting
    def stored_states(self, refs: Sequence[str],
                      ) -> tuple[dict[str, ClientState], dict[str, int]]:
        """The stored states that decode, and the position of each row that does not
        (read only)."""
        with self._read() as curs:
            return self._load_states(curs, refs)

    @reconnecting
    def versions(self) -> dict[str, int]:
        with self._read() as curs:
            curs.execute(self._sql("SELECT client_ref, version FROM palabra_client_states"))
            return {row["client_ref"]: int(row["version"]) for row in curs.fetchall()}

    # ---- the portfolio index --------------------------------------------------------

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
                     complete_at: int | None = None) -> None:
        """Write index rows of `as_of` computed with `weights` (a row is never replaced by
        one of an older version); `complete_at`: the day is now complete up to there.

        The day's marker row is locked first, so that refreshes of one day (the worker,
        API processes) take turns."""
        day = as_of.isoformat()
        with self._write() as curs:
            curs.execute(self._sql("INSERT INTO palabra_portfolio_days (as_of, weights) "
                                   "VALUES (%s, %s) ON CONFLICT (as_of) DO NOTHING"),
                         (day, weights))
            curs.execute(self._sql("SELECT weights FROM palabra_portfolio_days "
                                   f"WHERE as_of = %s{self.lock_clause}"), (day,))
            if curs.fetchone()["weights"] != weights:  # other weights: the day starts over
                curs.execute(self._sql("UPDATE palabra_portfolio_days SET weights = %s, "
                                       "position = NULL WHERE as_of = %s"), (weights, day))
            entries = self._not_older(curs, day, entries)
            refused = self._each(curs, entries, lambda c, some: self._write_entries(c, day, some))
            skipped = [Skip.of(stream_id(e.ref).hex, e.ref, self._state_position(curs, e.ref),
                               "index", error) for e, error in refused]
            for skip in skipped:
                log.error("the portfolio index of %s leaves out client %r, skipped until it "
                          "changes: %s", day, skip.ref, skip.reason)
            self._skip(curs, skipped)
            written = [e.ref for e in entries if e.ref not in {s.ref for s in skipped}]
            for chunk in _chunks(written, 500):
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

    def _write_entries(self, curs: Any, day: str, entries: Sequence[IndexEntry]) -> None:
        for chunk in _chunks([e.ref for e in entries], 500):
            marks = ", ".join(["%s"] * len(chunk))
            for table in ("palabra_portfolio", "palabra_portfolio_signals"):
                curs.execute(self._sql(f"DELETE FROM {table} WHERE as_of = %s "
                                       f"AND client_ref IN ({marks})"), [day, *chunk])
        curs.executemany(self._sql(
            "INSERT INTO palabra_portfolio (as_of, client_ref, version, name, name_key, "
            f"currency, state, score, band, outstanding, overdue, {', '.join(AGING)}) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"),
            [(day, e.ref, e.version, e.name, e.name.casefold(), e.currency, e.state,
              e.score, e.band, _cents(e.outstanding), _cents(e.overdue),
              *(_cents(a) for a in e.aging)) for e in entries])
        signals = [(day, e.ref, kind) for e in entries for kind in e.signals]
        if signals:
            curs.executemany(self._sql("INSERT INTO palabra_portfolio_signals "
                                       "(as_of, client_ref, kind) VALUES (%s, %s, %s)"),
                             signals)

    def _each(self, curs: Any, items: Sequence[Item],
              write: Callable[[Any, Sequence[Item]], None]) -> list[tuple[Item, Exception]]:
        """Write the items at once or, when the database refuses that, one by one: the
        items it refused, with why (a lost connection is raised, to be retried)."""
        curs.execute("SAVEPOINT palabra_items")
        try:
            write(curs, items)
        except Exception as error:
            if _lost(error):
                raise
            curs.execute("ROLLBACK TO SAVEPOINT palabra_items")
        else:
            curs.execute("RELEASE SAVEPOINT palabra_items")
            return []
        refused: list[tuple[Item, Exception]] = []
        for item in items:
            curs.execute("SAVEPOINT palabra_item")
            try:
                write(curs, [item])
            except Exception as error:
                if _lost(error):
                    raise
                curs.execute("ROLLBACK TO SAVEPOINT palabra_item")
                refused.append((item, error))
            else:
                curs.execute("RELEASE SAVEPOINT palabra_item")
        curs.execute("RELEASE SAVEPOINT palabra_items")
        return refused

    def _not_older(self, curs: Any, day: str,
                   entries: Sequence[IndexEntry]) -> list[IndexEntry]:
        """The entries not older than the rows already stored for them (another process
        may have written newer ones since these were computed)."""
        stored: dict[str, int] = {}
        for chunk in _chunks([e.ref for e in entries], 500):
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
            for chunk in _chunks([row["client_ref"] for row in rows], 500):
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
                + ", ".join(f"sum({c}) AS {c}" for c in AGING)
                + f" FROM palabra_portfolio WHERE {where} GROUP BY currency"), (day, *params))
            currencies = {row["currency"]: (_money(row["outstanding"]), _money(row["overdue"]),
                                            tuple(_money(row[c]) for c in AGING))
                          for row in curs.fetchall()}
            curs.execute(self._sql(f"SELECT kind, count(*) AS n FROM palabra_portfolio_signals "
                                   f"WHERE {where} GROUP BY kind"), (day, *params))
            kinds = {row["kind"]: int(row["n"]) for row in curs.fetchall()}
        return Totals(bands, currencies, kinds)

    @reconnecting
    def recreate(self) -> None:
        """Drop the read-model tables and create them anew (their shape changed)."""
        with self._write() as curs:
            for table in (*READ_MODEL_TABLES, "palabra_view_meta"):
                curs.execute(self._sql(f"DROP TABLE IF EXISTS {table}"))
        self.create_view_tables()

    @reconnecting
    def freshness(self, refs: Sequence[str] = ()) -> tuple[int, int, dict[str, int]]:
        """In one round trip: the event store's head, the view's position, and the
        stored versions of these clients."""
        marks = ", ".join(["%s"] * len(refs)) or "NULL"
        with self._read() as curs:
            curs.execute(self._sql(
                f"SELECT '' AS client_ref, (SELECT max({self._events_key()}) FROM "
                f"{self._events_table()}) AS head, (SELECT notification_id FROM "
                f"{self._tracking_table()} WHERE application_name = %s) AS version "
                "UNION ALL SELECT client_ref, NULL, version FROM palabra_client_states "
                f"WHERE client_ref IN ({marks})"), (SOURCE, *refs))
            rows = curs.fetchall()
        head, position = int(rows[0]["head"] or 0), int(rows[0]["version"] or 0)
        return head, position, {row["client_ref"]: int(row["version"]) for row in rows[1:]}

    @reconnecting
    def count_entries(self, as_of: date, where: str = "", params: Sequence[Any] = ()) -> int:
        statement = "SELECT count(*) AS n FROM palabra_portfolio p WHERE p.as_of = %s"
        if where:
            statement += f" AND {where}"
        with self._read() as curs:
            curs.execute(self._sql(statement), (as_of.isoformat(), *params))
            row = curs.fetchone()
            return int(row["n"])

    # ---- rebuild --------------------------------------------------------------------

    @reconnecting
    def reset(self) -> None:
        """Empty the read models and rewind the tracked position to the beginning."""
        with self._write() as curs:
            for table in READ_MODEL_TABLES:
                curs.execute(self._sql(f"DELETE FROM {table}"))
            self._locked_position(curs)
            self._move(curs, 0)
            curs.execute(self._sql("UPDATE palabra_view_meta SET value = %s WHERE key = %s"),
                         (STATE_FORMAT, "state_format"))


def _entry(row: Any, signals: tuple[str, ...]) -> IndexEntry:
    aging = tuple(_money(row[column]) for column in AGING)
    return IndexEntry(
        ref=row["client_ref"], version=int(row["version"]), name=row["name"],
        currency=row["currency"], state=row["state"],
        score=None if row["score"] is None else float(row["score"]),
        band=row["band"], outstanding=_money(row["outstanding"]),
        overdue=_money(row["overdue"]),
        aging=(aging[0], aging[1], aging[2], aging[3], aging[4]), signals=signals)


def _lost(error: Exception) -> bool:
    """Whether an error says the connection or the database is gone (not a refused row)."""
    return isinstance(error, (InterfaceError, OperationalError, psycopg.OperationalError,
                              psycopg.InterfaceError, sqlite3.OperationalError,
                              sqlite3.InterfaceError))


def _cents(amount: Decimal) -> int:
    return int(amount * CENTS)


def _money(cents: Any) -> Decimal:
    return (Decimal(int(cents)) / CENTS).quantize(Decimal("0.01"))


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class SQLiteClientsView(ClientsView, SQLiteTrackingRecorder):
    placeholder = "?"
    blob = "BLOB"

    def create_table(self) -> None:
        super().create_table()
        self.create_view_tables()

    def _tracking_table(self) -> str:
        return "tracking"

    def _events_table(self) -> str:
        return "stored_events"

    def _events_key(self) -> str:
        return "rowid"

    def close(self) -> None:
        self.datastore.close()

    @contextmanager
    def _write(self) -> Iterator[Any]:
        with self.datastore.get_connection(commit=True) as conn:
            curs = conn.cursor()
            curs.execute("BEGIN IMMEDIATE")  # take the write lock before reading
            try:
                yield curs
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    def _read(self) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=False)


class PostgresClientsView(ClientsView, PostgresTrackingRecorder):
    lock_clause = " FOR UPDATE"

    def create_table(self) -> None:
        with one_at_a_time(self.datastore):
            super().create_table()
            self.create_view_tables()

    def create_view_tables(self) -> None:
        super().create_view_tables()
        names = {"tracking": self._tracking_table(), "events": self._events_table(),
                 "lock": self._qualified(LOCK_FUNCTION), "move": self._qualified(MOVE_FUNCTION)}
        with self._write() as curs:
            for statement in TRACKING_FUNCTIONS:
                curs.execute(statement.format(**names))

    def _locked_position(self, curs: Any) -> int:
        curs.execute(f"SELECT {self._qualified(LOCK_FUNCTION)}() AS notification_id")
        row = curs.fetchone()
        return int(row["notification_id"] or 0)

    def _move(self, curs: Any, position: int) -> None:
        curs.execute(f"SELECT {self._qualified(MOVE_FUNCTION)}(%s)", (position,))

    def excluding(self, column: str, refs: Collection[str]) -> tuple[str, list[Any]]:
        return f"{column} <> ALL(%s)", [sorted(refs)]

    def _qualified(self, table: str) -> str:
        return f'"{self.datastore.schema}"."{table}"'

    def _tracking_table(self) -> str:
        return self._qualified(self.tracking_table_name)

    def _events_table(self) -> str:
        return self._qualified("palabra_events")

    def _events_key(self) -> str:
        return "notification_id"

    def close(self) -> None:
        self.datastore.close()

    def _sql(self, statement: str) -> Any:
        """Table names qualified with the schema (no search path to set: one round trip)."""
        return _OUR_TABLES.sub(lambda m: self._qualified(m.group(0)), statement)

    @contextmanager
    def _write(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=True) as curs:
            yield curs

    @contextmanager
    def _read(self) -> Iterator[Any]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            yield curs


LOCK_FUNCTION = "palabra_clients_lock"  # the tracked position, locked for this transaction
MOVE_FUNCTION = "palabra_clients_move"  # move it: never beyond the event store's head
TRACKING_FUNCTIONS = [
    "CREATE OR REPLACE FUNCTION {lock}() RETURNS bigint LANGUAGE sql SECURITY DEFINER "
    "SET search_path = pg_catalog AS $$ SELECT notification_id FROM {tracking} "
    f"WHERE application_name = '{SOURCE}' FOR UPDATE $$",
    "CREATE OR REPLACE FUNCTION {move}(target bigint) RETURNS void LANGUAGE plpgsql "
    "SECURITY DEFINER SET search_path = pg_catalog AS $$ BEGIN "
    "IF target < 0 OR target > (SELECT coalesce(max(notification_id), 0) FROM {events}) THEN "
    "RAISE EXCEPTION 'the read models cannot be at position %: the event store ends before', "
    "target USING ERRCODE = 'check_violation'; END IF; "
    "UPDATE {tracking} SET notification_id = target "
    f"WHERE application_name = '{SOURCE}'; END $$",
    "REVOKE ALL ON FUNCTION {lock}() FROM PUBLIC",
    "REVOKE ALL ON FUNCTION {move}(bigint) FROM PUBLIC",
]
DDL_LOCK = 0x70616C61  # an advisory lock id of our own: "pala"


@contextmanager
def one_at_a_time(datastore: Any) -> Iterator[None]:
    """Serialise table creation between processes starting together (PostgreSQL's
    CREATE … IF NOT EXISTS and CREATE OR REPLACE race otherwise)."""
    with datastore.get_connection() as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (DDL_LOCK,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (DDL_LOCK,))


_OUR_TABLES = re.compile(
    rf"\b({'|'.join((*READ_MODEL_TABLES, 'palabra_view_meta'))})\b(?!\w)")

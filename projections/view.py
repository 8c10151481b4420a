"""The read models, kept in the same database as the events.

- `palabra_client_states`: each client's folded `ClientState` (pickled), with
  its stream version and the last position applied to it;
- `palabra_portfolio` (+ `palabra_portfolio_signals`): one row per client and
  business date with what the client list sorts and filters on — score, band,
  outstanding, name, state, signals — computed by the very `figures()` a single
  client is answered with, so lists and single clients always agree;
- `palabra_portfolio_days`: for each business date, the trust weights its rows
  were computed with and the position up to which they are complete, so that
  keeping a day current only looks at the clients changed since (any process);
- the library's tracking table holds the position of the last event applied.

Folded states are written with the new position in one transaction that first
locks the tracking row and checks it still holds the position the chunk started
from: two appliers (the runner, a reader catching up) never apply an event
twice, and a crash leaves either the whole chunk or none of it.  The SQL is shared by both
backends; the two classes below only differ in how a transaction is opened.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar, cast

from eventsourcing.persistence import InterfaceError, OperationalError, Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from eventsourcing.utils import retry

from projections.portfolio import IndexEntry, Totals
from projections.state import ClientState

SOURCE = "Palabra"  # the tracked application: the ledger
STATE_FORMAT = "2"  # bump when ClientState changes shape: the read models are then rebuilt
CENTS = 100


Method = TypeVar("Method", bound=Callable[..., Any])


def reconnecting(method: Method) -> Method:
    """A database restart or a lost connection is retried (the library's own policy)."""
    return cast(Method, retry((InterfaceError, OperationalError), max_attempts=10,
                              wait=0.2)(method))


class StaleView(Exception):
    """Someone else applied events since this batch started: start again from the view."""


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
    """CREATE TABLE IF NOT EXISTS palabra_view_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL)""",
]
AGING = ("aging_current", "aging_1_30", "aging_31_60", "aging_61_90", "aging_90_plus")
READ_MODEL_TABLES = ("palabra_client_states", "palabra_portfolio",
                     "palabra_portfolio_signals", "palabra_portfolio_days")


class ClientsView:
    """The queries of the read models; subclasses open transactions for a backend."""

    placeholder = "%s"
    blob = "BYTEA"
    lock_clause = ""

    if TYPE_CHECKING:  # provided by the library's tracking recorders
        def max_tracking_id(self, application_name: str) -> int | None: ...
        def _insert_tracking(self, curs: Any, tracking: Tracking) -> None: ...

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

    # ---- applying a chunk of events ------------------------------------------------

    @reconnecting
    def apply(self, start: int, end: int, states: Mapping[str, tuple[int, bytes]]) -> None:
        """Write folded states (version, pickle) and move the position from `start` to
        `end`, in one transaction; StaleView if the position is no longer `start`."""
        with self._write() as curs:
            if self._locked_position(curs) != start:
                raise StaleView(f"the view moved past {start}")
            curs.executemany(self._sql(
                "INSERT INTO palabra_client_states (client_ref, version, position, state) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (client_ref) DO UPDATE SET "
                "version = excluded.version, position = excluded.position, "
                "state = excluded.state"),
                [(ref, version, end, blob) for ref, (version, blob) in states.items()])
            self._insert_tracking(curs, Tracking(SOURCE, end))

    @reconnecting
    def replace(self, position: int, states: Mapping[str, tuple[int, bytes]]) -> None:
        """Swap in read models built elsewhere (a parallel rebuild), at `position`, in one
        transaction: readers see the old ones until it commits."""
        with self._write() as curs:
            self._locked_position(curs)
            for table in READ_MODEL_TABLES:
                curs.execute(self._sql(f"DELETE FROM {table}"))
            curs.executemany(self._sql(
                "INSERT INTO palabra_client_states (client_ref, version, position, state) "
                "VALUES (%s, %s, %s, %s)"),
                [(ref, version, position, blob) for ref, (version, blob) in states.items()])
            curs.execute(self._sql(f"UPDATE {self._tracking_table()} SET notification_id = %s "
                                   "WHERE application_name = %s"), (position, SOURCE))
            curs.execute(self._sql("UPDATE palabra_view_meta SET value = %s WHERE key = %s"),
                         (STATE_FORMAT, "state_format"))

    def _load_states(self, curs: Any, refs: Sequence[str]) -> dict[str, ClientState]:
        found: dict[str, ClientState] = {}
        for chunk in _chunks(list(refs), 500):
            curs.execute(self._sql("SELECT client_ref, state FROM palabra_client_states "
                                   f"WHERE client_ref IN ({', '.join(['%s'] * len(chunk))})"),
                         chunk)
            for row in curs.fetchall():
                found[row["client_ref"]] = pickle.loads(row["state"])
        return found

    # ---- reading --------------------------------------------------------------------

    @reconnecting
    def state(self, ref: str) -> ClientState | None:
        with self._read() as curs:
            return self._load_states(curs, [ref]).get(ref)

    @reconnecting
    def states(self, refs: Sequence[str]) -> dict[str, ClientState]:
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
            refs = [e.ref for e in entries]
            for chunk in _chunks(refs, 500):
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
            if complete_at is not None:
                curs.execute(self._sql(
                    "UPDATE palabra_portfolio_days SET position = %s WHERE as_of = %s "
                    "AND (position IS NULL OR position < %s)"), (complete_at, day, complete_at))

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
    def totals(self, as_of: date) -> Totals:
        """The portfolio's sums over the index rows of a date, computed by the database."""
        day = as_of.isoformat()
        with self._read() as curs:
            curs.execute(self._sql("SELECT band, count(*) AS n FROM palabra_portfolio "
                                   "WHERE as_of = %s GROUP BY band"), (day,))
            bands = {row["band"]: int(row["n"]) for row in curs.fetchall()}
            curs.execute(self._sql(
                "SELECT currency, sum(outstanding) AS outstanding, sum(overdue) AS overdue, "
                + ", ".join(f"sum({c}) AS {c}" for c in AGING)
                + " FROM palabra_portfolio WHERE as_of = %s GROUP BY currency"), (day,))
            currencies = {row["currency"]: (_money(row["outstanding"]), _money(row["overdue"]),
                                            tuple(_money(row[c]) for c in AGING))
                          for row in curs.fetchall()}
            curs.execute(self._sql("SELECT kind, count(*) AS n FROM palabra_portfolio_signals "
                                   "WHERE as_of = %s GROUP BY kind"), (day,))
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
            curs.execute(self._sql(f"DELETE FROM {self._tracking_table()} "
                                   "WHERE application_name = %s"), (SOURCE,))
            self._start_tracking(curs)
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

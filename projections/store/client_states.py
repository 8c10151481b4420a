"""The client-state store: folded states written with the tracked position.

Folded states are written with the new position in one transaction that first locks
the tracking row and checks it still holds the position the chunk started from: two
appliers (say two workers) never apply an event twice, and a crash leaves either the
whole chunk or none of it.  A stored row that does not decode is logged; the worker
folds that client again from its events and stores it (`repaired`); a reader uses
`stored_states` and never writes.  On PostgreSQL the tracked position is moved only
through two SECURITY DEFINER functions (lock, move), and never beyond the event
store's head: the application role needs no UPDATE on it.  The SQL is shared by both
backends (`projections.store.sqlite`, `projections.store.postgres` open the
transactions).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError

from domain.retrying import retrying, steady
from domain.values import stream_id
from projections.state import ClientState, StateFormatError, decode_state, encode_state
from projections.store.schema import READ_MODEL_TABLES, SOURCE, STATE_FORMAT, TABLES

log = logging.getLogger("palabra.view")

REASON_LIMIT = 500


Method = TypeVar("Method", bound=Callable[..., Any])
Item = TypeVar("Item")


def reconnecting(method: Method) -> Method:
    """A database restart or a lost connection is retried (the library's own policy)."""
    return cast(Method, retrying((InterfaceError, OperationalError), attempts=10,
                                 wait=steady(0.2))(method))


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



#: client states the projector keeps in memory between transactions: the most recently
#: changed (a state of 100 events holds some 80 KB; a catch-up over more clients than
#: this reads the others back from the view, chunk by chunk)
STATE_CACHE = 5_000
#: clients whose state and figures a read side keeps in memory, the most recently read
#: (some 85 KB a client of 100 events: 1,000 of them hold the API process near 220 MB)
READ_CACHE = 1_000


class ClientStates:
    """The client states and the tracked position; subclasses open transactions for a
    backend."""
    """The queries of the read models; subclasses open transactions for a backend."""

    placeholder = "%s"
    blob = "BYTEA"
    lock_clause = ""
    repair: Repair | None = None  # set by the projector: folds a client again
    skips_recorded = 0  # clients skipped by this process (for the metrics)

    if TYPE_CHECKING:  # provided by the library's tracking recorders
        def max_tracking_id(self, application_name: str) -> int | None: ...

    # provided by the backend classes below
    def _write(self, derived: bool = False) -> AbstractContextManager[Any]:
        """A write transaction.  `derived`: it writes only what the events determine and
        the worker writes again if it is lost (client states with the position, the tree's
        nodes, index rows), so its commit does not wait for the disk: a power cut may
        undo the last few such commits, never an event's, and never one without those it
        depends on (the log's write-ahead order keeps a prefix)."""
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
        with self._write(derived=True) as curs:
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
        for chunk in chunks(list(refs), 500):
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

    def _each(self, curs: Any, items: Sequence[Item],
              write: Callable[[Any, Sequence[Item]], None]) -> list[tuple[Item, Exception]]:
        """Write the items at once or, when the database refuses that, one by one: the
        items it refused, with why (a lost connection is raised, to be retried)."""
        curs.execute("SAVEPOINT palabra_items")
        try:
            write(curs, items)
        except Exception as error:
            if lost_connection(error):
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
                if lost_connection(error):
                    raise
                curs.execute("ROLLBACK TO SAVEPOINT palabra_item")
                refused.append((item, error))
            else:
                curs.execute("RELEASE SAVEPOINT palabra_item")
        curs.execute("RELEASE SAVEPOINT palabra_items")
        return refused

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


def lost_connection(error: Exception) -> bool:
    """Whether an error says the connection or the database is gone (not a refused row)."""
    return isinstance(error, (InterfaceError, OperationalError, psycopg.OperationalError,
                              psycopg.InterfaceError, sqlite3.OperationalError,
                              sqlite3.InterfaceError))


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]

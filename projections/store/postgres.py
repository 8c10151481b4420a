"""The read models on PostgreSQL: schema-qualified tables, the tracked position moved
only through two SECURITY DEFINER functions, table creation one process at a time."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.postgres import PostgresTrackingRecorder

from projections.store.portfolio_index import ClientsView
from projections.store.schema import READ_MODEL_TABLES, SOURCE, TREE_TABLES

log = logging.getLogger("palabra.view")


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

    def _insert_new(self, curs: Any, into: str, types: Sequence[str], key: str,
                    rows: Sequence[tuple[Any, ...]]) -> None:
        arrays = ", ".join(f"%b::{kind}[]" for kind in types)  # binary: no escaping
        curs.execute(self._sql(f"INSERT INTO {into} SELECT * FROM unnest({arrays}) "
                               f"ON CONFLICT ({key}) DO NOTHING"),
                     [list(column) for column in zip(*rows, strict=True)])

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
    def _write(self, derived: bool = False) -> Iterator[Any]:
        with self.datastore.transaction(commit=True) as curs:
            if derived:  # flushed by the WAL writer within 3 × wal_writer_delay (600 ms)
                curs.execute("SET LOCAL synchronous_commit = off")
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
    rf"\b({'|'.join((*READ_MODEL_TABLES, *TREE_TABLES, 'palabra_view_meta'))})\b(?!\w)")

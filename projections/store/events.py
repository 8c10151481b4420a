"""The event store's recorders: the library's own, plus `select_ranges()` (clients'
events with their global positions, in one query) and `select_shard()` (one shard of
the log, for a parallel rebuild); on PostgreSQL, events that are never changed and a
recordedAt that is monotonic in the log.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    InterfaceError,
    Notification,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from domain.errors import Unavailable
from domain.retrying import retrying, steady
from projections.store.connections import DISK_FULL, ROOM, disk_full
from projections.store.postgres import one_at_a_time


class SQLiteStreamRecorder(SQLiteApplicationRecorder):
    """The library's recorder, plus: recordedAt is monotonic in the log (a trigger stamps
    an event recorded before the log's latest one — by a clock behind the others, or
    inserted by hand — with that latest time), and the queries of the ledger and the
    rebuild.  (Whoever can write the file can also drop the trigger: SQLite has no roles.)
    """

    def construct_create_table_statements(self) -> list[str]:
        table = self.events_table_name
        at = "json_extract(CAST({}.state AS TEXT), '$.timestamp')"
        new, latest = at.format("NEW"), (f"(SELECT {at.format('e')} FROM {table} e "
                                          "WHERE e.rowid < NEW.rowid ORDER BY e.rowid DESC "
                                          "LIMIT 1)")
        return [*super().construct_create_table_statements(),
                f"CREATE TRIGGER IF NOT EXISTS {table}_stamped AFTER INSERT ON {table} "
                f"FOR EACH ROW WHEN julianday({new}) < julianday({latest}) OR "
                f"(julianday({new}) = julianday({latest}) AND {new} < {latest}) BEGIN "
                f"UPDATE {table} SET state = CAST(json_set(CAST(state AS TEXT), "
                f"'$.timestamp', {latest}) AS BLOB) WHERE rowid = NEW.rowid; END"]

    full = False  # the last append found the disk full

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any,
                      ) -> Sequence[int] | None:
        try:
            ids = super().insert_events(stored_events, **kwargs)
        except OperationalError as error:
            if not disk_full(error):
                raise
            self.full = True
            raise Unavailable(DISK_FULL) from error
        self.full = False
        return ids

    def out_of_room(self) -> bool:
        """Whether the last append found the disk full and there is still no room."""
        if self.full:
            stats = os.statvfs(Path(self.datastore.pool.db_name).resolve().parent)
            self.full = stats.f_bavail * stats.f_frsize < ROOM
        return self.full

    def convert_originator_id(self, originator_id: str) -> UUID | str:
        return _uuid(originator_id)  # one object per client, not one per event read

    def select_ranges(self, ranges: Mapping[UUID, tuple[int, int | None]],
                      ) -> Sequence[Notification]:
        statement = (f"SELECT rowid, * FROM {self.events_table_name} "
                     "WHERE originator_id=? AND originator_version>? AND originator_version<=? "
                     "ORDER BY originator_version")
        found: list[Notification] = []
        with self.datastore.transaction(commit=False) as c:
            for originator_id, (gt, lte) in ranges.items():
                c.execute(statement, (originator_id.hex, gt, NO_LIMIT if lte is None else lte))
                found += [Notification(id=row["rowid"], originator_id=originator_id,
                                       originator_version=row["originator_version"],
                                       topic=row["topic"], state=row["state"])
                          for row in c.fetchall()]
        return found

    def select_shard(self, after: int, stop: int, limit: int, shard: int, shards: int,
                     ) -> Sequence[Notification]:
        """Events after a position of the clients in one shard of `shards` (by the last
        hex digit of their stream id), for folding the log in parallel."""
        digits = [d for d in "0123456789abcdef" if int(d, 16) % shards == shard]
        statement = (f"SELECT rowid, * FROM {self.events_table_name} WHERE rowid > ? AND "
                     f"rowid <= ? AND substr(originator_id, 32, 1) IN "
                     f"({', '.join('?' * len(digits))}) ORDER BY rowid LIMIT ?")
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, (after, stop, *digits, limit))
            return [Notification(id=row["rowid"],
                                 originator_id=self.convert_originator_id(row["originator_id"]),
                                 originator_version=row["originator_version"],
                                 topic=row["topic"], state=row["state"])
                    for row in c.fetchall()]


class PostgresStreamRecorder(PostgresApplicationRecorder):
    """The library's recorder, plus: the events table refuses UPDATE, DELETE and TRUNCATE
    (triggers), and appends take the table lock through a SECURITY DEFINER function, so
    that an application role with only INSERT and SELECT on the events can append.

    recordedAt is monotonic in the log, whoever inserts (the ledger, or anyone holding the
    application role): a BEFORE INSERT trigger takes the table lock and stamps an event
    recorded before the log's latest one with that latest time (a replica's clock behind
    the others, or a back-dated forgery), and refuses an event without a readable
    recordedAt, or one more than a day ahead of the database's clock (it would hold every
    later event's recordedAt back)."""

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema, table = Identifier(self.datastore.schema), Identifier(self.events_table_name)
        names = {"schema": schema, "table": table,
                 "refuse": Identifier(f"{self.events_table_name}_refuse_change"),
                 "lock": Identifier(f"{self.events_table_name}_lock"),
                 "immutable": Identifier(f"{self.events_table_name}_immutable"),
                 "untruncatable": Identifier(f"{self.events_table_name}_untruncatable"),
                 "stamp": Identifier(f"{self.events_table_name}_stamp"),
                 "stamped": Identifier(f"{self.events_table_name}_stamped"),
                 "recorded_at": SQL(RECORDED_AT.format("NEW")),
                 "latest": SQL(RECORDED_AT.format("e"))}
        self.sql_create_statements += [statement.format(**names) for statement in (
            SQL("CREATE OR REPLACE FUNCTION {schema}.{refuse}() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
                "'the ledger''s events are never changed or deleted (% refused); "
                "retract an entry instead' , TG_OP USING ERRCODE = 'insufficient_privilege'; "
                "END $$"),
            SQL("CREATE OR REPLACE TRIGGER {immutable} BEFORE UPDATE OR DELETE ON "
                "{schema}.{table} FOR EACH ROW EXECUTE FUNCTION {schema}.{refuse}()"),
            SQL("CREATE OR REPLACE TRIGGER {untruncatable} BEFORE TRUNCATE ON "
                "{schema}.{table} FOR EACH STATEMENT EXECUTE FUNCTION {schema}.{refuse}()"),
            SQL("CREATE OR REPLACE FUNCTION {schema}.{lock}() RETURNS void LANGUAGE plpgsql "
                "SECURITY DEFINER SET search_path = pg_catalog AS $$ BEGIN "
                "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; END $$"),
            SQL("REVOKE ALL ON FUNCTION {schema}.{lock}() FROM PUBLIC"),
            SQL("CREATE OR REPLACE FUNCTION {schema}.{stamp}() RETURNS trigger "
                "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$ "
                "DECLARE stamped text; latest text; BEGIN "
                "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
                "stamped := {recorded_at}; "
                "IF stamped IS NULL THEN RAISE EXCEPTION "
                "'an event needs its recordedAt (timestamp)' USING ERRCODE = 'data_exception'; "
                "END IF; "
                "IF stamped::timestamptz > clock_timestamp() + interval '1 day' THEN "
                "RAISE EXCEPTION 'recordedAt % is more than a day ahead of the database''s "
                "clock', stamped USING ERRCODE = 'data_exception'; END IF; "
                "SELECT {latest} INTO latest "
                "FROM {schema}.{table} e ORDER BY e.notification_id DESC LIMIT 1; "
                "IF latest IS NOT NULL AND stamped::timestamptz < latest::timestamptz THEN "
                "NEW.state := convert_to(replace(convert_from(NEW.state, 'UTF8'), "
                "'\"timestamp\":\"' || stamped || '\"', "
                "'\"timestamp\":\"' || latest || '\"'), 'UTF8'); "
                "IF {recorded_at} IS DISTINCT FROM latest THEN RAISE EXCEPTION "
                "'recordedAt % is before the log''s latest (%)', stamped, latest "
                "USING ERRCODE = 'data_exception'; "
                "END IF; END IF; RETURN NEW; END $$"),
            SQL("CREATE OR REPLACE TRIGGER {stamped} BEFORE INSERT ON {schema}.{table} "
                "FOR EACH ROW EXECUTE FUNCTION {schema}.{stamp}()"),
        )]
        self.lock_table_statements = [
            SQL("SET LOCAL lock_timeout = '{0}s'").format(self.datastore.lock_timeout),
            SQL("SELECT {}.{}()").format(schema, names["lock"]),
        ]
        # the batch as four arrays in binary, not the library's array of a composite type
        # in text (whose dumping, a regular expression a field, cost ~30 µs an event)
        self.insert_events_statement = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::uuid[], %b::bigint[], %b::text[], %b::bytea[]) "
            "RETURNING notification_id").format(**names)

    def _insert_stored_events(self, curs: Any, stored_events: Sequence[StoredEvent],
                              **_: Any) -> None:
        self._lock_table(curs)
        self._notify_channel(curs)
        curs.execute(self.insert_events_statement, (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events], [e.state for e in stored_events]),
            prepare=True)

    def create_table(self) -> None:
        with one_at_a_time(self.datastore):
            super().create_table()

    @retrying((InterfaceError, OperationalError), attempts=10, wait=steady(0.2))
    def select_ranges(self, ranges: Mapping[UUID, tuple[int, int | None]],
                      ) -> Sequence[Notification]:
        statement = SQL(
            "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state "
            "FROM unnest(%s::uuid[], %s::bigint[], %s::bigint[]) AS r(id, gt, lte) "
            "JOIN {}.{} e ON e.originator_id = r.id "
            "AND e.originator_version > r.gt AND e.originator_version <= r.lte "
            "ORDER BY e.originator_id, e.originator_version"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        ids = list(ranges)
        params = (ids, [ranges[i][0] for i in ids],
                  [NO_LIMIT if ranges[i][1] is None else ranges[i][1] for i in ids])
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(statement, params, prepare=True)
            return _notifications(curs.fetchall())


    @retrying((InterfaceError, OperationalError), attempts=10, wait=steady(0.2))
    def select_shard(self, after: int, stop: int, limit: int, shard: int, shards: int,
                     ) -> Sequence[Notification]:
        """As SQLiteStreamRecorder.select_shard (the same shards: the last hex digit)."""
        statement = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {}.{} WHERE notification_id > %s AND notification_id <= %s "
            "AND (get_byte(uuid_send(originator_id), 15) & 15) %% %s = %s "
            "ORDER BY notification_id LIMIT %s"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(statement, (after, stop, shards, shard, limit), prepare=True)
            return _notifications(curs.fetchall())


def _notifications(rows: list[tuple[Any, ...]]) -> list[Notification]:
    """Rows of (notification_id, originator_id, originator_version, topic, state) as the
    library's notifications (tuples: a dict a row cost a fifth of a rebuild's time)."""
    return [Notification(id=id_, originator_id=originator_id, originator_version=version,
                         topic=topic, state=bytes(state))
            for id_, originator_id, version, topic, state in rows]


NO_LIMIT = 2**62
# an event's recordedAt, read by PostgreSQL (json: jsonb would refuse a \u0000 anywhere, and
# so does json once it unescapes; a NUL is no timestamp, so reading it as a space is fine)
RECORDED_AT = ("replace(convert_from({}.state, 'UTF8'), '\\u0000', '\\u0020')::json "
               "->> 'timestamp'")
@lru_cache(maxsize=100_000)
def _uuid(hex_id: str) -> UUID:
    return UUID(hex_id)



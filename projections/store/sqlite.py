"""The read models on SQLite: a write takes the database's write lock first."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from eventsourcing.sqlite import SQLiteTrackingRecorder

from projections.store.portfolio_index import ClientsView

log = logging.getLogger("palabra.view")


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
    def _write(self, derived: bool = False) -> Iterator[Any]:
        with self.datastore.get_connection(commit=True) as conn:
            curs = conn.cursor()
            # WAL: NORMAL syncs at the next checkpoint, or with the next FULL commit (an
            # event's), instead of at this commit
            curs.execute(f"PRAGMA synchronous = {'NORMAL' if derived else 'FULL'}")
            curs.execute("BEGIN IMMEDIATE")  # take the write lock before reading
            try:
                yield curs
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    def _read(self) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=False)

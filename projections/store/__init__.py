"""Where Palabra's events and read models live, on SQLite or PostgreSQL.

Exports `Database` (a parsed `PALABRA_DATABASE_URL`), `open_ledger` and `open_view` (the
event store and the read models on it), the read models' classes (`ClientsView`, with
`SQLiteClientsView` and `PostgresClientsView`), what the projection records (`Skip`,
`StaleView`), the days of the portfolio index kept (`INDEX_DAYS`), the clients a read
side keeps in memory (`READ_CACHE`), the tables (`READ_MODEL_TABLES`, `TREE_TABLES`,
`STATE_FORMAT`), the PostgreSQL tracking functions (`LOCK_FUNCTION`, `MOVE_FUNCTION`,
`one_at_a_time`) and the fail-fast connection helpers (`time_limit`, `disk_full`,
`DISK_FULL`, `DEFAULT_TIMEOUT`, `DEFAULT_URL`). Set-up and checks of a production
PostgreSQL store are `projections.store.admin`.
"""

from projections.store.client_states import READ_CACHE, STATE_CACHE, Skip, StaleView
from projections.store.connections import DEFAULT_TIMEOUT, DISK_FULL, disk_full, time_limit
from projections.store.database import DEFAULT_URL, Database, open_ledger, open_view
from projections.store.portfolio_index import INDEX_DAYS, ClientsView
from projections.store.postgres import (
    LOCK_FUNCTION,
    MOVE_FUNCTION,
    PostgresClientsView,
    one_at_a_time,
)
from projections.store.schema import READ_MODEL_TABLES, STATE_FORMAT, TREE_TABLES
from projections.store.sqlite import SQLiteClientsView

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_URL",
    "DISK_FULL",
    "INDEX_DAYS",
    "LOCK_FUNCTION",
    "MOVE_FUNCTION",
    "READ_CACHE",
    "READ_MODEL_TABLES",
    "STATE_CACHE",
    "STATE_FORMAT",
    "TREE_TABLES",
    "ClientsView",
    "Database",
    "PostgresClientsView",
    "SQLiteClientsView",
    "Skip",
    "StaleView",
    "disk_full",
    "one_at_a_time",
    "open_ledger",
    "open_view",
    "time_limit",
]

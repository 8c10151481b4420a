"""The read-model tables, one schema for both backends.

- `palabra_client_states`: each client's folded `ClientState` (MessagePack with a
  format tag, read back by a typed decoder: never code), with its stream version and
  the last position applied to it;
- `palabra_portfolio` (+ `palabra_portfolio_signals`): one row per client and business
  date with what the client list sorts, filters and totals on — score, band,
  outstanding, overdue, written off, aging, name, state, signals — computed by the
  very `figures()` a single client is answered with, so lists and single clients
  always agree;
- `palabra_portfolio_days`: for each business date, the trust weights its rows were
  computed with and the position up to which they are complete;
- `palabra_skipped`: clients the projection could not handle (an event that does not
  fold, an index row the database refuses), skipped until fixed;
- `palabra_tree_leaves` (the leaf hash of each event: leaf `idx` is the idx+1-th event
  of the log, at `position`) and `palabra_tree_nodes` (the hash of every complete aligned
  subtree above them, by level ≥ 1 and index): the Merkle tree over the global log (SPEC
  §8.1); `palabra_checkpoints`: every signed tree
  head issued.  Neither is a read model a rebuild empties: the nodes are only ever
  added (and checked by `palabra verify`), the checkpoints are all kept;
- the library's tracking table holds the position of the last event applied.
"""

from __future__ import annotations

SOURCE = "Palabra"  # the tracked application: the ledger
#: bump when ClientState or a read-model table changes shape: the read models are then
#: dropped, created anew and rebuilt (api.bootstrap); 4: the index's written_off
STATE_FORMAT = "4"

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
        written_off BIGINT NOT NULL,
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
    """CREATE TABLE IF NOT EXISTS palabra_tree_leaves (
        idx BIGINT PRIMARY KEY,
        position BIGINT NOT NULL UNIQUE,
        hash {blob} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS palabra_tree_nodes (
        level INTEGER NOT NULL,
        idx BIGINT NOT NULL,
        hash {blob} NOT NULL,
        PRIMARY KEY (level, idx))""",
    """CREATE TABLE IF NOT EXISTS palabra_checkpoints (
        tree_size BIGINT NOT NULL,
        issued_at TEXT NOT NULL,
        root_hash TEXT NOT NULL,
        key_id TEXT NOT NULL,
        signature TEXT NOT NULL,
        PRIMARY KEY (tree_size, issued_at))""",
    """CREATE TABLE IF NOT EXISTS palabra_view_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL)""",
]
AGING = ("aging_current", "aging_1_30", "aging_31_60", "aging_61_90", "aging_90_plus")
TREE_TABLES = ("palabra_tree_leaves", "palabra_tree_nodes", "palabra_checkpoints")
READ_MODEL_TABLES = ("palabra_client_states", "palabra_portfolio",
                     "palabra_portfolio_signals", "palabra_portfolio_days", "palabra_skipped")

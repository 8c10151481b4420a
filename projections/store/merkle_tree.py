"""The stored Merkle tree and its checkpoints (SPEC §8.1), on both backends.

`palabra_tree_leaves` holds each event's leaf hash (leaf idx: the idx+1-th event of the
log, at its position) and `palabra_tree_nodes` the hash of every complete aligned subtree
(level ≥ 1, index) above them, so that a proof reads O(log n) rows and never recomputes
the tree; the tree's size is its number of leaves.  Nodes are added in one
transaction per batch, after a check that the tree still has the size the batch was
computed from (two writers computing the same batch write the same rows: the second's
are ignored).  `palabra_checkpoints` keeps every signed tree head.  Reads here never
write; the SQL is shared, the backends open the transactions (`ClientStates`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from projections.audit.checkpoints import Checkpoint
from projections.audit.merkle import Node
from projections.store.client_states import ClientStates, StaleView, chunks, reconnecting

NODES_PER_QUERY = 400


class MerkleTreeTables(ClientStates):
    """The tree's nodes and the checkpoints."""

    @reconnecting
    def tree_size(self) -> int:
        """How many leaves the stored tree has."""
        with self._read() as curs:
            return self._tree_size(curs)

    def _tree_size(self, curs: Any) -> int:
        curs.execute(self._sql("SELECT max(idx) AS last FROM palabra_tree_leaves"))
        row = curs.fetchone()
        return 0 if row is None or row["last"] is None else int(row["last"]) + 1

    @reconnecting
    def add_tree_nodes(self, size: int, leaves: Sequence[tuple[int, int, bytes]],
                       nodes: Sequence[tuple[int, int, bytes]]) -> None:
        """Add the leaves (idx, position, hash) and the nodes (level, idx, hash) computed
        for the tree of `size` leaves (StaleView: it has another size now)."""
        with self._write(derived=True) as curs:
            if self._tree_size(curs) != size:
                raise StaleView()
            self._insert_new(curs, "palabra_tree_leaves (idx, position, hash)",
                             ("bigint", "bigint", "bytea"), "idx", leaves)
            if nodes:
                self._insert_new(curs, "palabra_tree_nodes (level, idx, hash)",
                                 ("integer", "bigint", "bytea"), "level, idx", nodes)

    def _insert_new(self, curs: Any, into: str, types: Sequence[str], key: str,
                    rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert rows whose `key` is not there yet, a statement a row (PostgreSQL: one
        statement for them all, `unnest` of one array a column, of these `types`)."""
        marks = ", ".join(["%s"] * len(types))
        curs.executemany(self._sql(f"INSERT INTO {into} VALUES ({marks}) "
                                   f"ON CONFLICT ({key}) DO NOTHING"), list(rows))

    @reconnecting
    def tree_nodes(self, wanted: Iterable[Node]) -> dict[Node, bytes]:
        """The stored hashes of these nodes (those that exist; level 0: the leaves)."""
        found: dict[Node, bytes] = {}
        wanted = set(wanted)
        leaves = sorted(index for level, index in wanted if level == 0)
        nodes = sorted(node for node in wanted if node[0] > 0)
        with self._read() as curs:
            for chunk in chunks(leaves, NODES_PER_QUERY):
                curs.execute(self._sql(
                    "SELECT idx, hash FROM palabra_tree_leaves WHERE idx IN "
                    f"({', '.join(['%s'] * len(chunk))})"), chunk)
                found.update({(0, int(row["idx"])): bytes(row["hash"])
                              for row in curs.fetchall()})
            for chunk in chunks(nodes, NODES_PER_QUERY):  # ORed equalities: both use the key
                pairs = " OR ".join(["(level = %s AND idx = %s)"] * len(chunk))
                curs.execute(self._sql(
                    f"SELECT level, idx, hash FROM palabra_tree_nodes WHERE {pairs}"),
                    [value for node in chunk for value in node])
                found.update({(int(row["level"]), int(row["idx"])): bytes(row["hash"])
                              for row in curs.fetchall()})
        return found

    @reconnecting
    def tree_leaves(self, after: int, limit: int) -> list[tuple[int, int, bytes]]:
        """The stored leaves (idx, position, hash) with an index above `after`, in order."""
        with self._read() as curs:
            curs.execute(self._sql(
                "SELECT idx, position, hash FROM palabra_tree_leaves WHERE idx > %s "
                "ORDER BY idx LIMIT %s"), (after, limit))
            return [(int(row["idx"]), int(row["position"]), bytes(row["hash"]))
                    for row in curs.fetchall()]

    @reconnecting
    def leaves_at(self, positions: Sequence[int]) -> dict[int, tuple[int, bytes]]:
        """The leaves of the events at these positions: position -> (idx, hash)."""
        found: dict[int, tuple[int, bytes]] = {}
        with self._read() as curs:
            for chunk in chunks(sorted(set(positions)), NODES_PER_QUERY):
                curs.execute(self._sql(
                    "SELECT idx, position, hash FROM palabra_tree_leaves WHERE position IN "
                    f"({', '.join(['%s'] * len(chunk))})"), chunk)
                found.update({int(row["position"]): (int(row["idx"]), bytes(row["hash"]))
                              for row in curs.fetchall()})
        return found

    @reconnecting
    def tree_level(self, level: int, after: int, limit: int) -> list[tuple[int, bytes]]:
        """The stored nodes of a level ≥ 1 with an index above `after`, in order."""
        with self._read() as curs:
            curs.execute(self._sql(
                "SELECT idx, hash FROM palabra_tree_nodes WHERE level = %s AND idx > %s "
                "ORDER BY idx LIMIT %s"), (level, after, limit))
            return [(int(row["idx"]), bytes(row["hash"])) for row in curs.fetchall()]

    @reconnecting
    def tree_top_level(self) -> int:
        """The highest level holding a stored node (0: only leaves, or none)."""
        with self._read() as curs:
            curs.execute(self._sql("SELECT max(level) AS top FROM palabra_tree_nodes"))
            row = curs.fetchone()
            return 0 if row is None or row["top"] is None else int(row["top"])

    # ---- checkpoints -------------------------------------------------------------------

    @reconnecting
    def add_checkpoint(self, checkpoint: Checkpoint) -> None:
        with self._write() as curs:
            curs.execute(self._sql(
                "INSERT INTO palabra_checkpoints (tree_size, issued_at, root_hash, key_id, "
                "signature) VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (tree_size, issued_at) DO NOTHING"),
                (checkpoint.tree_size, checkpoint.issued_at, checkpoint.root_hash,
                 checkpoint.key_id, checkpoint.signature))

    def _checkpoints(self, where: str, params: Sequence[object], order: str,
                     limit: int | None) -> list[Checkpoint]:
        with self._read() as curs:
            curs.execute(self._sql(
                "SELECT tree_size, issued_at, root_hash, key_id, signature FROM "
                f"palabra_checkpoints {where} ORDER BY {order}"
                + ("" if limit is None else " LIMIT %s")),
                [*params, *([] if limit is None else [limit])])
            return [Checkpoint(tree_size=int(row["tree_size"]), root_hash=row["root_hash"],
                               issued_at=row["issued_at"], key_id=row["key_id"],
                               signature=row["signature"]) for row in curs.fetchall()]

    @reconnecting
    def latest_checkpoint(self) -> Checkpoint | None:
        found = self._checkpoints("", (), "tree_size DESC, issued_at DESC", 1)
        return found[0] if found else None

    @reconnecting
    def checkpoint_covering(self, size: int) -> Checkpoint | None:
        """The checkpoint of the smallest tree of at least `size` leaves (the latest one
        issued of that size)."""
        found = self._checkpoints("WHERE tree_size >= %s", (size,),
                                  "tree_size, issued_at DESC", 1)
        return found[0] if found else None

    @reconnecting
    def checkpoints_after(self, after: tuple[int, str] | None,
                          limit: int | None) -> list[Checkpoint]:
        """Checkpoints in issue order (tree size, then time), after a (size, time) key."""
        if after is None:
            return self._checkpoints("", (), "tree_size, issued_at", limit)
        return self._checkpoints(
            "WHERE tree_size > %s OR (tree_size = %s AND issued_at > %s)",
            (after[0], after[0], after[1]), "tree_size, issued_at", limit)

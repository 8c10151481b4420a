"""The notary: keeps the stored Merkle tree current with the log, issues checkpoints and
answers proofs from the stored nodes.

The projection worker calls `keep_up` between waits (the tree is maintained off the
append path: an append pays nothing, and the leaves are made from the rows exactly as
committed, after any trigger stamped them).  A checkpoint is issued on demand (`issue`)
and by `keep_up` whenever the tree has grown and the latest checkpoint is at least
`interval` seconds old.  A proof asked for a tree size without a checkpoint of its own
is made for the smallest checkpointed tree at least that large, and says which; a size
beyond the latest checkpoint is refused (`InvalidInput`).  Leaf `idx` is the idx+1-th
event of the log: with the ledger's gapless positions, position − 1.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.errors import InvalidInput
from domain.ledger import Clock, Ledger
from projections.audit.checkpoints import Checkpoint, Signer, SigningKeyError
from projections.audit.leaves import LeafError, event_leaf_hash
from projections.audit.merkle import (
    Frontier,
    consistency_ranges,
    inclusion_ranges,
    needed_nodes,
    range_hash,
)
from projections.store import ClientsView, StaleView

log = logging.getLogger("palabra.audit")

CHECKPOINT_INTERVAL = 60.0  # seconds: at least one checkpoint a minute while events arrive
BATCH = 5000  # events added to the tree per transaction


@dataclass(frozen=True)
class InclusionProof:
    position: int
    leaf_index: int
    tree_size: int
    leaf_hash: str
    path: list[str]
    checkpoint: Checkpoint

    def to_json(self) -> dict[str, Any]:
        return {"position": self.position, "leafIndex": self.leaf_index,
                "treeSize": self.tree_size, "leafHash": self.leaf_hash, "path": self.path,
                "checkpoint": self.checkpoint.to_json()}


@dataclass(frozen=True)
class ConsistencyProof:
    from_size: int
    to_size: int
    path: list[str]
    checkpoint: Checkpoint

    def to_json(self) -> dict[str, Any]:
        return {"fromSize": self.from_size, "toSize": self.to_size, "path": self.path,
                "checkpoint": self.checkpoint.to_json()}


class Notary:
    def __init__(self, ledger: Ledger, view: ClientsView,
                 signer: Callable[[], Signer] | None, clock: Clock,
                 interval: float = CHECKPOINT_INTERVAL, batch: int = BATCH) -> None:
        """`signer` loads the signing key (SigningKeyError: there is none); None: this
        process issues no checkpoints."""
        self.ledger = ledger
        self.view = view
        self._load_signer = signer
        self._signer: Signer | None = None
        self.clock = clock
        self.interval = interval
        self.batch = batch
        self._warned: set[str] = set()
        self._frontier: tuple[Frontier, int] | None = None  # the tree's, and its last position
        self._size = 0  # the tree's size, as `keep_up` last saw it
        self._last_position = -1  # the log's head the tree was last extended to
        self._checkpointed: tuple[int, datetime | None] | None = None  # the latest's

    # ---- the tree --------------------------------------------------------------------

    def extend(self) -> int:
        """Add every stored event not yet in the tree; returns the tree's size.

        The frontier this notary stored last is trusted without asking the tree's size:
        if another process added to the tree meanwhile, storing the next page fails
        (StaleView: the size is checked in its transaction) and the tree is read again.
        A round that finds a few new events costs one query and one transaction."""
        stale = self._frontier is None
        while True:
            if stale or self._frontier is None:
                size = self.view.tree_size()
                if self._frontier is None or self._frontier[0].size != size:
                    nodes = self.view.tree_nodes(Frontier.nodes_of(size))
                    self._frontier = (
                        Frontier(size, [nodes[n] for n in Frontier.nodes_of(size)]),
                        self.view.tree_leaves(size - 2, 1)[0][1] if size else 0)
            size = self._frontier[0].size
            frontier = Frontier(size, self._frontier[0].roots)  # a copy, until it is stored
            last = self._frontier[1]
            page = self.ledger.recorder.select_notifications(
                start=last, limit=self.batch, inclusive_of_start=False)
            if not page:
                return size
            leaves: list[tuple[int, int, bytes]] = []
            made: list[tuple[int, int, bytes]] = []
            for notification in page:
                try:
                    leaf = event_leaf_hash(notification.id, notification.originator_version,
                                           notification.topic, notification.state)
                except LeafError as error:
                    self._warn(f"leaf{notification.id}", "the event at position %d has no "
                               "leaf (%s): the tree stops before it", notification.id, error)
                    break
                leaves.append((frontier.size, notification.id, leaf))
                made += [node for node in frontier.add(leaf) if node[0] > 0]
            if not leaves:
                return size
            try:
                self.view.add_tree_nodes(size, leaves, made)
            except StaleView:
                stale = True  # another process added to the tree meanwhile: start from it
                continue
            self._frontier, stale = (frontier, leaves[-1][1]), False
            if len(leaves) < self.batch:  # the log's end as it was read, or a leaf error
                return frontier.size

    def root(self, size: int) -> bytes:
        """The root hash of the stored tree of the first `size` leaves."""
        nodes = self.view.tree_nodes(needed_nodes([(0, size)]))
        return range_hash(0, size, nodes)

    # ---- checkpoints ---------------------------------------------------------------

    def signer(self) -> Signer:
        """The signing key (SigningKeyError: none is configured or it cannot be read)."""
        if self._signer is None:
            if self._load_signer is None:
                raise SigningKeyError("no signing key is configured: set "
                                      "PALABRA_SIGNING_KEY_FILE")
            self._signer = self._load_signer()
        return self._signer

    def issue(self) -> Checkpoint:
        """Bring the tree up to date and sign its head."""
        signer = self.signer()
        size = self.extend()
        checkpoint = signer.sign(size, self.root(size), self.clock())
        self.view.add_checkpoint(checkpoint)
        self._checkpointed = (size, datetime.fromisoformat(checkpoint.issued_at))
        return checkpoint

    def keep_up(self, head: int | None = None) -> Checkpoint | None:
        """The worker's round: extend the tree (unless the log's head, when given, is
        already in it), and issue a checkpoint when the tree outgrew the latest one and
        that one is `interval` seconds old (or there is none)."""
        if head is None or head != self._last_position:
            self._size = self.extend()
            self._last_position = head if head is not None else -1
        if self._checkpointed is None:
            latest = self.view.latest_checkpoint()
            self._checkpointed = ((latest.tree_size, datetime.fromisoformat(latest.issued_at))
                                  if latest else (0, None))
        size, issued = self._checkpointed
        if self._size <= size or (issued is not None and (self.clock() - issued
                                                          ).total_seconds() < self.interval):
            return None
        try:
            return self.issue()
        except SigningKeyError as error:
            self._warn("key", "no checkpoint issued: %s", error)
            return None

    def _warn(self, key: str, message: str, *args: object) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.error(message, *args)

    # ---- proofs ----------------------------------------------------------------------

    def checkpoint_for(self, size: int | None) -> Checkpoint:
        """The checkpoint a proof is made for: the latest (no size), else the smallest
        checkpointed tree of at least `size` leaves."""
        if size is not None and size < 0:
            raise InvalidInput(f"a tree size is 0 or more, not {size}")
        found = (self.view.latest_checkpoint() if size is None
                 else self.view.checkpoint_covering(size))
        if found is None:
            raise InvalidInput("no checkpoint has been issued yet" if size is None else
                               f"no checkpoint covers a tree of {size} events yet (palabra "
                               "checkpoint issues one)")
        return found

    def inclusion(self, position: int, tree_size: int | None = None) -> InclusionProof:
        checkpoint = self.checkpoint_for(tree_size)
        leaf = self.view.leaves_at([position]).get(position)
        if leaf is None or leaf[0] >= checkpoint.tree_size:
            raise InvalidInput(f"there is no event at position {position} in the tree of "
                               f"{checkpoint.tree_size} events")
        index, leaf_hash = leaf
        path = self._hashes(inclusion_ranges(index, checkpoint.tree_size))
        return InclusionProof(position, index, checkpoint.tree_size, leaf_hash.hex(), path,
                              checkpoint)

    def consistency(self, from_size: int, to_size: int | None = None) -> ConsistencyProof:
        if to_size is not None and from_size > to_size:
            raise InvalidInput(f"fromSize ({from_size}) is larger than toSize ({to_size})")
        checkpoint = self.checkpoint_for(to_size)
        if from_size < 0 or from_size > checkpoint.tree_size:
            raise InvalidInput(f"fromSize must be from 0 to {checkpoint.tree_size} (the "
                               f"checkpointed tree), not {from_size}")
        ranges = consistency_ranges(from_size, checkpoint.tree_size) if from_size else []
        return ConsistencyProof(from_size, checkpoint.tree_size, self._hashes(ranges),
                                checkpoint)

    def _hashes(self, ranges: Sequence[tuple[int, int]]) -> list[str]:
        nodes = self.view.tree_nodes(needed_nodes(ranges))
        return [range_hash(start, end, nodes).hex() for start, end in ranges]

    def leaf_hashes(self, positions: Sequence[int]) -> dict[int, str]:
        """The leaf hashes (hex) of the events at these positions: from the tree, or made
        from the stored row for an event the tree does not have yet."""
        found = {position: leaf.hex() for position, (_, leaf)
                 in self.view.leaves_at(positions).items()}
        for position in sorted(set(positions) - set(found)):
            for row in self.ledger.recorder.select_notifications(
                    start=position, limit=1, stop=position, inclusive_of_start=True):
                found[position] = event_leaf_hash(row.id, row.originator_version, row.topic,
                                                  row.state).hex()
        return found

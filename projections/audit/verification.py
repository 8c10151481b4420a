"""`verify`: recompute every leaf from the stored events, check the stored tree and every
checkpoint's root and signature, and, given a checkpoint an auditor kept, prove that the
ledger still extends it.  The first problem (by position) is what is reported.

The events are read in log order, a page at a time, beside the stored leaves and nodes:
memory stays small whatever the size of the log.  Two trees are recomputed: one from the
events (its roots are compared with the checkpoints), one from the stored leaves (its
nodes are compared with the stored nodes; the same tree as the first until a stored leaf
differs), so that a changed event is named by its own position, and a changed node by
the first position it covers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any, TypeVar
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import Notification

from domain.ledger import Ledger
from domain.values import stream_id
from projections.audit.checkpoints import Checkpoint, verify_signature
from projections.audit.leaves import (
    LeafError,
    canonical_leaf,
    document_of,
    leaf_hash,
    stored_state,
)
from projections.audit.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_ranges,
    needed_nodes,
    range_hash,
    verify_consistency,
)
from projections.store import ClientsView

PAGE = 5000
Progress = Callable[[int, int], None]  # (events read, events in the log)


@dataclass(frozen=True)
class Problem:
    position: int
    message: str  # one sentence, naming the position


@dataclass
class Verdict:
    events: int = 0
    tree_size: int = 0
    checkpoints: int = 0
    last_position: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def first(self) -> Problem | None:
        return min(self.problems, key=lambda p: p.position) if self.problems else None

    def add(self, position: int, message: str) -> None:
        self.problems.append(Problem(position, f"position {position}: {message}"))


class Recomputed:
    """A tree built again leaf by leaf, keeping its roots at the sizes asked for."""

    def __init__(self, sizes: Iterable[int]) -> None:
        self.frontier = Frontier()
        self.wanted = set(sizes)
        self.roots = {0: EMPTY_ROOT} if 0 in self.wanted else {}

    def add(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        made = self.frontier.add(leaf)
        if self.frontier.size in self.wanted:
            self.roots[self.frontier.size] = self.frontier.root()
        return made


def check_checkpoints(verdict: Verdict, checkpoints: Iterable[Checkpoint],
                      recomputed: Recomputed, public: Ed25519PublicKey | None) -> None:
    """Each checkpoint's root against the recomputed tree, and its signature."""
    for checkpoint in checkpoints:
        verdict.checkpoints += 1
        what = f"the checkpoint of {checkpoint.tree_size} events issued {checkpoint.issued_at}"
        root = recomputed.roots.get(checkpoint.tree_size)
        if root is None:
            verdict.add(verdict.events + 1, f"{what} covers more events than the log holds "
                        f"({verdict.events})")
        elif root != checkpoint.root:
            verdict.add(max(checkpoint.tree_size, 1), f"{what} does not match the first "
                        f"{checkpoint.tree_size} events: they were rewritten")
        if public is not None and not verify_signature(checkpoint, public):
            verdict.add(max(checkpoint.tree_size, 1), f"the signature of {what} does not "
                        f"verify with the signing key (key id {checkpoint.key_id})")


Row = TypeVar("Row", bound=tuple[Any, ...])


def _pages(fetch: Callable[[int], list[Row]]) -> Iterator[Row]:
    """Rows keyed by their first member, fetched a page at a time after the last key."""
    after = -1
    while page := fetch(after):
        yield from page
        after = page[-1][0]


def _notifications(ledger: Ledger) -> Iterator[Notification]:
    start = 0
    while page := ledger.recorder.select_notifications(start=start, limit=PAGE,
                                                       inclusive_of_start=False):
        yield from page
        start = page[-1].id


def _stream_matches(ref: object, stream: object) -> bool:
    return isinstance(ref, str) and _stream_of(ref) == stream


@lru_cache(maxsize=100_000)
def _stream_of(ref: str) -> UUID:
    return stream_id(ref)


def verify_store(ledger: Ledger, view: ClientsView, public: Ed25519PublicKey | None,
                 against: Checkpoint | None = None, progress: Progress | None = None,
                 ) -> Verdict:
    verdict = Verdict(tree_size=view.tree_size())
    checkpoints = view.checkpoints_after(None, None)
    head = ledger.recorder.max_notification_id() or 0
    events = Recomputed([c.tree_size for c in checkpoints]
                        + ([against.tree_size] if against else []))
    stored: Frontier | None = None  # the tree of the stored leaves, once they differ
    leaves = _pages(lambda after: view.tree_leaves(after, PAGE))
    levels = {level: _pages(partial(view.tree_level, level, limit=PAGE))
              for level in range(1, view.tree_top_level() + 1)}
    positions: list[int] = []  # of the stored leaves, to name a node's first position
    aligned = True
    for notification in _notifications(ledger):
        position = notification.id
        try:
            state, plain = stored_state(notification.state)
            leaf = leaf_hash(canonical_leaf(document_of(
                position, notification.originator_version, notification.topic, state), plain))
        except LeafError as error:
            verdict.add(position, f"the stored event is damaged: {error}")
            break
        if not _stream_matches(state.get("client_ref"), notification.originator_id):
            verdict.add(position, "the stored event is in another client's stream")
        index = events.frontier.size
        stored_leaf: bytes | None = None
        if aligned and index < verdict.tree_size:
            _, leaf_position, stored_leaf = next(leaves)
            positions.append(leaf_position)
            if leaf_position != position:
                if leaf_position < position:
                    verdict.add(leaf_position, "the tree has an event the log no longer "
                                "holds (deleted)")
                else:
                    verdict.add(position, "the log holds an event the tree does not have "
                                "(inserted)")
                aligned, stored_leaf = False, None
            elif stored_leaf != leaf:
                verdict.add(position, "the stored event is not the event the tree holds "
                            "(changed)")
                if stored is None:  # the stored tree parts from the events' here
                    stored = Frontier(index, events.frontier.roots)
        made = events.add(leaf)
        verdict.events += 1
        if stored_leaf is not None:
            for level, node_index, node in (made if stored is None
                                            else stored.add(stored_leaf))[1:]:
                found = levels.get(level)
                if found is None or next(found, (node_index, b""))[1] != node:
                    first = positions[node_index << level]
                    verdict.add(first, f"the tree's node over the {1 << level} events from "
                                f"here does not match their leaves")
        if progress is not None and verdict.events % PAGE == 0:
            progress(verdict.events, head)
    if aligned and verdict.events < verdict.tree_size:
        _, missing, _ = next(leaves)
        verdict.add(missing, "the tree has an event the log no longer holds (deleted)")
    check_checkpoints(verdict, checkpoints, events, public)
    if against is not None:
        _check_against(verdict, view, events, against)
    if progress is not None:
        progress(verdict.events, head)
    return verdict


def _check_against(verdict: Verdict, view: ClientsView, events: Recomputed,
                   held: Checkpoint) -> None:
    """The auditor's checkpoint: the first treeSize events hash to its root, and the
    stored tree's consistency proof from it to today's tree verifies."""
    what = f"the ledger does not extend the checkpoint you hold ({held.tree_size} events)"
    root = events.roots.get(held.tree_size)
    if root is None:
        verdict.add(verdict.events + 1, f"{what}: the log holds only {verdict.events} events")
        return
    if root != held.root:
        verdict.add(max(held.tree_size, 1), f"{what}: its first {held.tree_size} events "
                    "were rewritten")
        return
    size = verdict.tree_size
    if 0 < held.tree_size <= size:
        ranges = consistency_ranges(held.tree_size, size)
        nodes = view.tree_nodes(needed_nodes([*ranges, (0, size)]))
        path = [range_hash(start, end, nodes) for start, end in ranges]
        if not verify_consistency(held.tree_size, size, held.root,
                                  range_hash(0, size, nodes), path):
            verdict.add(max(held.tree_size, 1), f"{what}: the stored tree's consistency "
                        "proof does not verify")

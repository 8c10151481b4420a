"""Tamper evidence over GraphQL (SPEC §8.1): checkpoints, inclusion and consistency
proofs, and each event's leaf hash (`LedgerEvent.leafHash`, loaded a page at a time).

A proof asked for a tree size without a checkpoint of its own is made for the smallest
checkpointed tree at least that large (its `treeSize` says which); a size beyond the
latest checkpoint is refused with INVALID_INPUT.  A checkpoints cursor is
`treeSize/issuedAt` of the last checkpoint seen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import UNSET
from strawberry.dataloader import DataLoader

from api.graphql.arguments import Info, given, page_size
from api.graphql.pages import PageInfo
from domain.errors import InvalidInput
from projections.audit import checkpoints as signed
from projections.audit import notary

_CURSOR = re.compile(r"(\d{1,18})/(\S{1,64})")


@strawberry.type
class Checkpoint:
    tree_size: int
    root_hash: str
    issued_at: datetime
    key_id: str
    signature: str


def _checkpoint(found: signed.Checkpoint) -> Checkpoint:
    return Checkpoint(tree_size=found.tree_size, root_hash=found.root_hash,
                      issued_at=datetime.fromisoformat(found.issued_at), key_id=found.key_id,
                      signature=found.signature)


@strawberry.type
class CheckpointEdge:
    cursor: str
    node: Checkpoint


@strawberry.type
class CheckpointConnection:
    edges: list[CheckpointEdge]
    page_info: PageInfo


@strawberry.type
class InclusionProof:
    position: int
    tree_size: int
    leaf_hash: str
    path: list[str]
    checkpoint: Checkpoint


@strawberry.type
class ConsistencyProof:
    from_size: int
    to_size: int
    path: list[str]
    checkpoint: Checkpoint


async def checkpoint(info: Info, tree_size: int | None = UNSET) -> Checkpoint:
    """Query.checkpoint: the latest, or the smallest checkpointed tree of at least
    `treeSize` events."""
    found = await run_in_threadpool(info.context.services.notary.checkpoint_for,
                                    given(tree_size))
    return _checkpoint(found)


async def checkpoints(info: Info, first: int | None = 100,
                      after: str | None = UNSET) -> CheckpointConnection:
    """Query.checkpoints: every checkpoint in the order issued."""
    size = page_size(first, 100, info)
    key: tuple[int, str] | None = None
    if given(after) is not None:
        matched = _CURSOR.fullmatch(str(after))
        if matched is None:
            raise InvalidInput(f"after must be a cursor of this list (got {after!r})")
        key = (int(matched.group(1)), matched.group(2))
    found = await run_in_threadpool(info.context.services.view.checkpoints_after, key,
                                    size + 1)
    edges = [CheckpointEdge(cursor=f"{c.tree_size}/{c.issued_at}", node=_checkpoint(c))
             for c in found[:size]]
    return CheckpointConnection(edges=edges, page_info=PageInfo(
        has_next_page=len(found) > size, end_cursor=edges[-1].cursor if edges else None))


async def inclusion_proof(info: Info, position: int,
                          tree_size: int | None = UNSET) -> InclusionProof:
    """Query.inclusionProof."""
    proof: notary.InclusionProof = await run_in_threadpool(
        info.context.services.notary.inclusion, position, given(tree_size))
    return InclusionProof(position=proof.position, tree_size=proof.tree_size,
                          leaf_hash=proof.leaf_hash, path=proof.path,
                          checkpoint=_checkpoint(proof.checkpoint))


async def consistency_proof(info: Info, from_size: int,
                            to_size: int | None = UNSET) -> ConsistencyProof:
    """Query.consistencyProof."""
    proof: notary.ConsistencyProof = await run_in_threadpool(
        info.context.services.notary.consistency, from_size, given(to_size))
    return ConsistencyProof(from_size=proof.from_size, to_size=proof.to_size,
                            path=proof.path, checkpoint=_checkpoint(proof.checkpoint))


def leaf_hashes(info: Info) -> DataLoader[int, str]:
    """The request's loader of leaf hashes by position (one query for a page)."""
    if info.context.leaf_hashes is None:
        services = info.context.services

        async def load(positions: Sequence[int]) -> list[str]:
            found = await run_in_threadpool(services.notary.leaf_hashes, list(positions))
            return [found[p] for p in positions]

        info.context.leaf_hashes = DataLoader(load_fn=load, cache=False)
    return info.context.leaf_hashes

"""The Merkle tree of RFC 9162 §2.1: its hashes, its proofs and their verifiers.

A node is addressed `(level, index)`: the complete, aligned subtree over the leaves
`index·2^level … (index+1)·2^level − 1` (0-based).  Those are the only nodes ever
stored; the hash of any other range is combined from them (`range_hash`), splitting at
the largest power of two below its size exactly as RFC 9162's MTH does.  A proof is
computed in two steps: which ranges its path holds (`inclusion_ranges`,
`consistency_ranges`, which depend on the sizes alone), then their hashes from the
stored nodes (`needed_nodes` says which to fetch, in one query).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence

Node = tuple[int, int]  # (level, index)
Range = tuple[int, int]  # leaves start … end − 1, 0-based

EMPTY_ROOT = hashlib.sha256(b"").digest()  # RFC 9162 §2.1.1: the hash of an empty list


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 §2.1.1: SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(size: int) -> int:
    """The largest power of two smaller than `size` (size > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def _aligned(start: int, end: int) -> Node | None:
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return level, start >> level
    return None


def needed_nodes(ranges: Sequence[Range]) -> set[Node]:
    """The stored nodes the hashes of these ranges are made of."""
    found: set[Node] = set()
    for start, end in ranges:
        found.update(_nodes_of(start, end))
    return found


def _nodes_of(start: int, end: int) -> Iterator[Node]:
    if start == end:
        return
    aligned = _aligned(start, end)
    if aligned is not None:
        yield aligned
        return
    k = split(end - start)
    yield from _nodes_of(start, start + k)
    yield from _nodes_of(start + k, end)


def range_hash(start: int, end: int, nodes: Mapping[Node, bytes]) -> bytes:
    """MTH of the leaves start … end − 1, from the stored nodes (`needed_nodes`)."""
    if start == end:
        return EMPTY_ROOT
    aligned = _aligned(start, end)
    if aligned is not None:
        return nodes[aligned]
    k = split(end - start)
    return node_hash(range_hash(start, start + k, nodes), range_hash(start + k, end, nodes))


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """RFC 9162 §2.1.3.1 PATH(index, D[size]): the ranges whose hashes make the audit
    path of the leaf `index` (0-based), from the leaf up."""
    path: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = split(end - start)
        if index < start + k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
    return path[::-1]


def consistency_ranges(old: int, new: int) -> list[Range]:
    """RFC 9162 §2.1.4.1 PROOF(old, D[new]): the ranges whose hashes prove that the tree
    of `old` leaves is a prefix of the tree of `new` (0 < old ≤ new)."""
    path: list[Range] = []
    start, end, whole = 0, new, True  # SUBPROOF(m, D[start:end], b)
    m = old
    while True:
        if m == end - start:
            if not whole:
                path.append((start, end))
            break
        k = split(end - start)
        if m <= k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start, m, whole = start + k, m - k, False
    return path[::-1]


def verify_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes],
                     root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: whether `path` proves the leaf hash `leaf` at `index` is in
    the tree of `size` leaves whose root is `root`."""
    if index >= size or index < 0:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes,
                       path: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: whether `path` proves the tree of `old` leaves with root
    `old_root` is a prefix of the tree of `new` leaves with root `new_root`."""
    if old < 0 or old > new:
        return False
    if old == 0:
        return not path and old_root == EMPTY_ROOT
    if old == new:
        return not path and old_root == new_root
    if not path:
        return False
    items = [old_root, *path] if old & (old - 1) == 0 else list(path)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = items[0]
    for c in items[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0


class Frontier:
    """The tree built leaf by leaf: the roots of its complete aligned subtrees, largest
    first (at most one per level), which is all that is needed to add the next leaf."""

    def __init__(self, size: int = 0, roots: Sequence[bytes] = ()) -> None:
        self.size = size
        self.roots = list(roots)  # aligned subtrees of `size`, largest first

    @staticmethod
    def nodes_of(size: int) -> list[Node]:
        """The stored nodes a frontier of `size` leaves is made of, largest first."""
        found, start = [], 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                found.append((level, start >> level))
                start += 1 << level
        return found

    def add(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf; the nodes it completes, as (level, index, hash), leaf first."""
        index = self.size
        made = [(0, index, leaf)]
        current, level = leaf, 0
        while (index >> level) & 1:
            current = node_hash(self.roots.pop(), current)
            level += 1
            made.append((level, index >> level, current))
        self.roots.append(current)
        self.size += 1
        return made

    def root(self) -> bytes:
        """MTH of every leaf so far."""
        if not self.roots:
            return EMPTY_ROOT
        current = self.roots[-1]
        for left in reversed(self.roots[:-1]):
            current = node_hash(left, current)
        return current

"""Deferred: a tuple of figures worked out the first time it is read.

A client's payment history lists every invoice and payment; building those lists is a
quarter of the cost of a client's figures, and most readers never look at them (a
client card, the portfolio index, a list of clients).  `Deferred` holds how to build
one and builds it once, when first read; it reads as the tuple it stands for (its
items, its length, equal to that tuple).

What it is built from must not move in between: `Deferred` takes a `changes` callable
and refuses to build once its value differs from what it was when the figures were
computed (a figure read from a state that has moved on would be wrong, not stale).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar, overload

T = TypeVar("T")


class Deferred(Sequence[T]):
    """A tuple built by `make` when first read, once."""

    __slots__ = ("_changes", "_items", "_made_at", "_make")

    def __init__(self, make: Callable[[], tuple[T, ...]], changes: Callable[[], int]) -> None:
        self._make: Callable[[], tuple[T, ...]] | None = make
        self._changes = changes
        self._made_at = changes()
        self._items: tuple[T, ...] | None = None

    def items(self) -> tuple[T, ...]:
        """The tuple, built on the first call."""
        items = self._items
        if items is None:
            make = self._make
            if make is None:  # another thread built it in between
                items = self._items
                assert items is not None
                return items
            if self._changes() != self._made_at:
                raise RuntimeError("the figures were read after the state they were "
                                   "computed from had changed")
            items = self._items = make()
            self._make = None
        return items

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...

    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        return self.items()[index]

    def __len__(self) -> int:
        return len(self.items())

    def __iter__(self) -> Iterator[T]:
        return iter(self.items())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Deferred):
            return self.items() == other.items()
        return isinstance(other, tuple) and self.items() == other

    def __hash__(self) -> int:
        return hash(self.items())

    def __repr__(self) -> str:
        return repr(self.items())

    def __reduce__(self) -> tuple[Any, ...]:  # copied or pickled as the tuple it stands for
        return (tuple, (self.items(),))

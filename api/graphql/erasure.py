"""Fields of a forgotten client: "[erased]" where the contract allows no null, null where
it does.

The read side hands out a forgotten client's personal fields as `ERASED` (a string that
reads "[erased]", `domain.envelopes`); `erasable(name)` is the field of a nullable
personal field, which turns it into null.
"""

from __future__ import annotations

from typing import Any

import strawberry

from domain.envelopes import is_erased


def erasable(name: str) -> Any:
    """A nullable text field read from the attribute `name`: null once erased."""
    def resolver(root: strawberry.Parent[Any]) -> str | None:
        value = getattr(root, name)
        return None if value is None or is_erased(value) else str(value)

    resolver.__name__ = name
    return strawberry.field(resolver=resolver)

"""Entries the domain tests append again and again."""

from __future__ import annotations

from typing import Any

from domain.entries import Entry


def payment(ref: str = "acme", on: str | None = "2026-02-01", key: str | None = None,
            expected: int | None = None, **data: Any) -> Entry:
    """A payment of 10.00 to `ref` (overridden by `data`)."""
    return Entry("PaymentReceived", ref, {"amount": "10.00", **data}, on, key, expected)

"""Typed refusals of the ledger.

Every refused write raises one of these; its `code` is the GraphQL
`extensions.code` of `schema.graphql` and its message is meant for a person.
"""

from __future__ import annotations


class LedgerError(Exception):
    """A write the ledger refuses; nothing of it was stored.

    `reason` says why, without a client's figures (a writer, who may not read them,
    sees it); `figures` are the amounts and balances behind it, added to the message
    only for a caller who may read figures (`explained`); `item` is the 1-based index
    of the refused entry in a batch.
    """

    code = "INVALID_INPUT"

    def __init__(self, reason: str, item: int | None = None, figures: str | None = None) -> None:
        self.reason = reason
        self.item = item
        self.figures = figures
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"item {self.item}: {self.reason}" if self.item else self.reason

    @property
    def explained(self) -> str:
        """The message with the figures behind it, for whoever may read them."""
        return f"{self.message} ({self.figures})" if self.figures else self.message


class UnknownClient(LedgerError):
    code = "UNKNOWN_CLIENT"


class DuplicateId(LedgerError):
    code = "DUPLICATE_ID"


class UnknownEntity(LedgerError):
    code = "UNKNOWN_ENTITY"


class InvalidState(LedgerError):
    code = "INVALID_STATE"


class InvalidInput(LedgerError):
    code = "INVALID_INPUT"


class CurrencyMismatch(LedgerError):
    code = "CURRENCY_MISMATCH"


class FutureDate(LedgerError):
    code = "FUTURE_DATE"


class VersionConflict(LedgerError):
    code = "VERSION_CONFLICT"


class IdempotencyConflict(LedgerError):
    code = "IDEMPOTENCY_CONFLICT"


class Unavailable(Exception):
    """The database did not answer in time, or has no room left: retry shortly (an
    append retried with its idempotency key is never written twice).  Not a
    `LedgerError`: nothing was refused, and nothing is known about the request."""

    code = "UNAVAILABLE"

    def __init__(self, reason: str = "the database is unavailable; try again shortly") -> None:
        self.reason = reason
        super().__init__(reason)

    @property
    def message(self) -> str:
        return self.reason


ERROR_CODES = tuple(
    cls.code
    for cls in (
        UnknownClient,
        DuplicateId,
        UnknownEntity,
        InvalidState,
        InvalidInput,
        CurrencyMismatch,
        FutureDate,
        VersionConflict,
        IdempotencyConflict,
        Unavailable,
    )
)

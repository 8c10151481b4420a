"""How errors reach callers: refusals explained, everything else masked.

- a `LedgerError` (the domain refused a write, or a query's argument), an
  `ApiError` (UNAUTHENTICATED, FORBIDDEN) and `Unavailable` (the database did not
  answer in time: UNAVAILABLE, retry shortly) keep their message and carry their code in
  `extensions.code` (and, for a batch, the refused item's number in `extensions.item`);
  the figures behind a refusal (an open balance, what instalments add up to) are added
  to its message only for a caller whose role may read figures: a writer sees none;
- a request GraphQL refuses before running it (syntax, validation, limits, variables
  that are not of their type) keeps graphql-core's message, with code INVALID_INPUT;
- anything else is an unexpected failure: the caller sees "internal error", code
  INTERNAL and the request id; the log gets the full story under that id.

"""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionContext

from api.auth import Access
from domain.errors import InvalidInput, LedgerError, Unavailable

log = logging.getLogger("palabra.graphql")

INTERNAL = "INTERNAL"
INTERNAL_MESSAGE = "internal error"


class ApiError(Exception):
    """A refusal of the API itself (not of the ledger), with its code."""

    code = "INTERNAL"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthenticated(ApiError):
    code = "UNAUTHENTICATED"


class Forbidden(ApiError):
    code = "FORBIDDEN"


def refusal_code(error: GraphQLError) -> str | None:
    """The code of an error the caller is told about as it is; None: an unexpected one."""
    original = error.original_error
    if isinstance(original, LedgerError | ApiError | Unavailable):  # Unavailable: retry
        return original.code
    if error.path is None and (original is None or isinstance(original, GraphQLError)):
        return InvalidInput.code  # refused before execution: syntax, validation, variables
    return None


def request_id_of(execution_context: ExecutionContext | None) -> str | None:
    context = execution_context.context if execution_context is not None else None
    return getattr(context, "request_id", None)


def log_errors(errors: list[GraphQLError], execution_context: ExecutionContext | None) -> None:
    """Unexpected failures are logged with their traceback and the request id; refusals
    briefly, for the record."""
    request_id = request_id_of(execution_context)
    for error in errors:
        code = refusal_code(error)
        if code is None:
            original = error.original_error
            log.error("internal error in %s (request %s): %s",
                      ".".join(map(str, error.path or ())) or "the operation", request_id,
                      error.message, exc_info=(type(original), original, original.__traceback__)
                      if original is not None else None)
        else:
            log.info("refused (%s): %s", code, error.message)


def presented(error: GraphQLError, request_id: str | None,
              reads_figures: bool = False) -> GraphQLError:
    """The error as the caller sees it (with a refusal's figures if it `reads_figures`)."""
    code = refusal_code(error)
    extensions: dict[str, Any] = dict(error.extensions or {})
    if code is not None:
        extensions["code"] = code
        item = getattr(error.original_error, "item", None)
        if item is not None:
            extensions["item"] = item  # which item of a batch was refused (from 1)
        message = error.message
        original = error.original_error
        if reads_figures and isinstance(original, LedgerError) and message == original.message:
            message = original.explained
    else:
        extensions = {"code": INTERNAL, "requestId": request_id}
        message = INTERNAL_MESSAGE
    return GraphQLError(message, nodes=error.nodes, source=error.source,
                        positions=error.positions, path=error.path, original_error=None,
                        extensions=extensions)


class ErrorPresenter(MaskErrors):
    """Strawberry's error-masking extension with Palabra's rules (see the module doc)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda _: True, error_message=INTERNAL_MESSAGE)

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        request_id = request_id_of(self.execution_context)
        principal = getattr(self.execution_context.context, "principal", None)
        reads = principal is not None and principal.may(Access.READ)
        return [presented(error, request_id, reads) for error in errors]

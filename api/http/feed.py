"""`/events.ndjson`: the ledger's events as JSON Lines for auditors (the format of
`palabra export`, ending with the line that says it is complete), by client and after
a position; `?sealed=true`, the sealed export of the whole log (`palabra export
--sealed`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool

from api.auth import Access, Principal
from api.bootstrap import Services
from api.export import export_lines, sealed_export_lines
from api.http.errors import http_error, refusal
from domain.errors import LedgerError
from projections.audit.checkpoints import SigningKeyError

MAX_POSITION = 2**63 - 1  # the largest position a store can hold


def feed_router(services: Callable[[], Services],
                caller: Callable[..., Principal | None]) -> APIRouter:
    """The route; `caller` (a dependency) is the authenticated caller or None."""
    router = APIRouter()

    @router.get("/events.ndjson")
    def events_ndjson(
        principal: Principal | None = Depends(caller),  # noqa: B008 (FastAPI's way)
        client: Annotated[str | None, Query(description="only this client's events")] = None,
        after: Annotated[int, Query(ge=0, le=MAX_POSITION,
                                    description="only events after this position")] = 0,
        sealed: Annotated[bool, Query(description="the whole log as stored, with leaf "
                                                  "hashes and checkpoints")] = False,
    ) -> Any:
        refused = refusal(principal, Access.AUDIT)
        if refused is not None:
            return refused
        if sealed and (client is not None or after):
            return http_error(400, "INVALID_INPUT", "a sealed export holds the whole log: "
                              "sealed=true takes no client or after")
        try:
            lines = (sealed_export_lines(services()) if sealed
                     else export_lines(services().ledger, client, after))
        except LedgerError as error:
            return http_error(404, error.code, error.message)
        except SigningKeyError as error:
            return http_error(503, "UNAVAILABLE", str(error))
        return StreamingResponse(iterate_in_threadpool(_until_cut(lines)),
                                 media_type="application/x-ndjson")

    return router


def _until_cut(lines: Iterator[str]) -> Iterator[str]:
    """The export's lines; a failure (logged by the export) ends them cleanly, without
    the last line that says the export is complete."""
    try:
        yield from lines
    except Exception:
        return

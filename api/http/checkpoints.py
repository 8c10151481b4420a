"""Checkpoints over plain HTTP: `/checkpoint.json` (the latest signed tree head, or with
`?treeSize=` the smallest checkpointed tree at least that large; auditor role, as the
event feed) and `/signing-key` (the public key checkpoints are signed with, PEM, open
to anyone: it is what verifies them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from api.auth import Access, Principal
from api.bootstrap import Services
from api.http.errors import http_error, refusal
from api.signing import public_key
from domain.errors import InvalidInput
from projections.audit.checkpoints import SigningKeyError, public_pem

MAX_SIZE = 2**63 - 1


def checkpoints_router(services: Callable[[], Services],
                       caller: Callable[..., Principal | None]) -> APIRouter:
    router = APIRouter()

    @router.get("/checkpoint.json")
    async def checkpoint_json(
        principal: Principal | None = Depends(caller),  # noqa: B008 (FastAPI's way)
        tree_size: Annotated[int | None, Query(
            alias="treeSize", ge=0, le=MAX_SIZE,
            description="the smallest checkpointed tree at least this large")] = None,
    ) -> Any:
        refused = refusal(principal, Access.AUDIT)
        if refused is not None:
            return refused
        try:
            found = await run_in_threadpool(services().notary.checkpoint_for, tree_size)
        except InvalidInput as error:
            return http_error(404, error.code, error.message)
        return JSONResponse(found.to_json())

    @router.get("/signing-key")
    async def signing_key() -> Any:
        try:
            found = await run_in_threadpool(public_key, services().settings)
        except SigningKeyError as error:
            return http_error(503, "UNAVAILABLE", str(error))
        if found is None:
            return http_error(404, "NOT_FOUND", "there is no signing key yet: the first "
                              "checkpoint creates it")
        return PlainTextResponse(public_pem(found), media_type="application/x-pem-file")

    return router

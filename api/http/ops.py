"""The operations endpoints: `/healthz` (the process is up), `/readyz` (the database
answers within a second and has room, with the projection's position and lag) and
`/metrics` (Prometheus, never waiting on the database).

When API keys are configured, `/metrics` and the details of `/readyz` need a valid key
of any role (unless PALABRA_OPS_NEED_KEY is false); without one `/readyz` says only its
status.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from api.bootstrap import Services
from api.http.errors import http_error
from domain.errors import Unavailable
from projections.store import DISK_FULL

log = logging.getLogger("palabra.api")
READY_SECONDS = 1.0  # /readyz answers within this, database or not


def ops_router(services: Callable[[], Services], sees_operations: Callable[..., bool],
               ) -> APIRouter:
    """The routes; `sees_operations` (a dependency) says whether the caller may see the
    metrics and the details of readiness."""
    router = APIRouter()

    @router.get("/metrics")
    def metrics(allowed: bool = Depends(sees_operations)) -> Response:
        if not allowed:
            return http_error(401, "UNAUTHENTICATED", "the metrics need an API key: send "
                              "'Authorization: Bearer <key>'")
        return Response(generate_latest(services().metrics.registry),
                        media_type=CONTENT_TYPE_LATEST)

    @router.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz(allowed: bool = Depends(sees_operations)) -> JSONResponse:
        answer = await readiness()
        if allowed:
            return answer
        return JSONResponse({"status": json.loads(bytes(answer.body))["status"]},
                            answer.status_code)

    async def readiness() -> JSONResponse:
        watch = services().watch
        try:
            reading = await asyncio.wait_for(
                run_in_threadpool(watch.read, READY_SECONDS), READY_SECONDS)
        except Exception as error:
            full = isinstance(error, Unavailable) and error.reason == DISK_FULL
            log.warning("not ready: %s", "the disk is full" if full else
                        f"the database did not answer ({type(error).__name__})")
            return JSONResponse({"status": "unavailable",
                                 "database": "full" if full else "unreachable"}, 503)
        health = reading.health
        beyond = health.position > health.head  # the read models cannot be trusted
        return JSONResponse({"status": "unavailable" if beyond else "ready",
                             "database": "reachable", "store": services().database.backend,
                             "projection": {"position": health.position, "head": health.head,
                                            "lag": health.lag, "skipped": health.skipped,
                                            "problem": health.problem}},
                            503 if beyond else 200)

    return router

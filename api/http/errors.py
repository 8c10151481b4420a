"""The one JSON error of every endpoint when a request is refused as a whole:
`{"error": {"code", "message", "requestId"}}`."""

from __future__ import annotations

from starlette.responses import JSONResponse

from api import logs
from api.auth import Access, Principal


def http_error(status: int, code: str, message: str) -> JSONResponse:
    """The error response, with the request's id."""
    return JSONResponse({"error": {"code": code, "message": message,
                                   "requestId": logs.request_id.get()}}, status)


def refusal(principal: Principal | None, access: Access) -> JSONResponse | None:
    """Why this caller may not have this access (None: it may)."""
    if principal is None:
        return http_error(401, "UNAUTHENTICATED", "an API key is needed: send "
                          "'Authorization: Bearer <key>'")
    if not principal.may(access):
        return http_error(403, "FORBIDDEN", f"the {principal.role.value} role may not "
                          f"{access.value} here")
    return None

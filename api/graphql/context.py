"""What every resolver is handed: the services, the caller and the request's id."""

from __future__ import annotations

from collections.abc import Callable

from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from api.auth import Principal
from api.bootstrap import Services

Authenticate = Callable[[str | None], Principal | None]


class Context(BaseContext):
    """One HTTP request, or one WebSocket connection and every operation on it.

    `principal` is None for an anonymous caller; `credentials` says whether a key
    was presented at all (to tell "no key" from "a key we do not know").
    """

    def __init__(self, services: Services, principal: Principal | None, request_id: str,
                 authenticate: Authenticate, credentials: bool = False) -> None:
        super().__init__()
        self.services = services
        self.principal = principal
        self.request_id = request_id
        self.authenticate = authenticate
        self.credentials = credentials
        self.leaf_hashes: DataLoader[int, str] | None = None  # made by the first leafHash

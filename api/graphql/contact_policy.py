"""Whether one more collection contact is allowed on a date, resolved straight from
`projections.figures.contact_policy`'s figure."""

from __future__ import annotations

from datetime import date

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import UNSET

from api.graphql.arguments import Info, given
from domain.errors import UnknownClient
from domain.values import check_text
from projections.figures import contact_policy as figures


@strawberry.type
class ContactPolicy:
    allowed: bool
    used: int
    cap: int
    next_allowed_on: date | None
    reason: str


async def contact_allowed(info: Info, ref: strawberry.ID,
                          on: date | None = UNSET) -> figures.ContactPolicy:
    """Query.contactAllowed."""
    services = info.context.services
    day = given(on) or services.today()
    check_text(ref, "ref")
    policy = await run_in_threadpool(services.read_model.contact_allowed, ref, day)
    if policy is None:
        raise UnknownClient(f"there is no client {ref}")
    return policy

"""The trust score's GraphQL types, resolved straight from `projections.figures.trust`'s figures
(each field reads the figure's attribute of the same name)."""

from __future__ import annotations

import strawberry

from api.graphql.enums import Band, Confidence, Party


@strawberry.type
class TrustComponent:
    name: str
    side: Party
    weight: float
    value: float | None
    observations: int


@strawberry.type
class Trust:
    score: float | None
    band: Band | None
    confidence: Confidence
    client_side: float | None
    vendor_side: float | None
    components: list[TrustComponent]

"""The enumerations of the contract: the domain's and the figures' own, served as they are
(no copies to keep in step, no conversions)."""

from __future__ import annotations

import strawberry

from domain.values import (
    Basis,
    Channel,
    ComplaintCategory,
    ContactPurpose,
    Direction,
    DisputeOutcome,
    EndReason,
    Party,
    PromiseKind,
    Severity,
)
from projections.figures.outcomes import ItemSource, ItemStatus
from projections.figures.payments import AgingBucket, InvoiceStatus
from projections.figures.portfolio import ClientOrder
from projections.figures.signals import SignalKind
from projections.figures.trust import Band, Confidence
from projections.state import RelationshipState

SERVED = (Party, PromiseKind, ItemSource, ItemStatus, InvoiceStatus, AgingBucket, Band,
          Confidence, RelationshipState, EndReason, Channel, Direction, ContactPurpose,
          ComplaintCategory, Severity, Basis, DisputeOutcome, SignalKind, ClientOrder)

for served in SERVED:
    strawberry.enum(served)  # registers the class itself for GraphQL: it stays the same class

__all__ = ["SERVED", "AgingBucket", "Band", "Basis", "Channel", "ClientOrder", "ComplaintCategory",
           "Confidence", "ContactPurpose", "Direction", "DisputeOutcome", "EndReason",
           "InvoiceStatus", "ItemSource", "ItemStatus", "Party", "PromiseKind",
           "RelationshipState", "Severity", "SignalKind"]

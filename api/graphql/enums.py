"""The enumerations of the contract: the domain's and the figures' own, served as they are
(no copies to keep in step, no conversions)."""

from __future__ import annotations

import strawberry

from domain import values
from projections import outcomes, payments, portfolio, signal_rules, state, trust

Party = strawberry.enum(values.Party)
PromiseKind = strawberry.enum(values.PromiseKind)
ItemSource = strawberry.enum(outcomes.ItemSource)
ItemStatus = strawberry.enum(outcomes.ItemStatus)
InvoiceStatus = strawberry.enum(payments.InvoiceStatus)
AgingBucket = strawberry.enum(payments.AgingBucket)
Band = strawberry.enum(trust.Band)
Confidence = strawberry.enum(trust.Confidence)
RelationshipState = strawberry.enum(state.RelationshipState)
EndReason = strawberry.enum(values.EndReason)
Channel = strawberry.enum(values.Channel)
Direction = strawberry.enum(values.Direction)
ContactPurpose = strawberry.enum(values.ContactPurpose)
ComplaintCategory = strawberry.enum(values.ComplaintCategory)
Severity = strawberry.enum(values.Severity)
Basis = strawberry.enum(values.Basis)
DisputeOutcome = strawberry.enum(values.DisputeOutcome)
SignalKind = strawberry.enum(signal_rules.SignalKind)
ClientOrder = strawberry.enum(portfolio.ClientOrder)

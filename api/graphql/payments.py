"""The payments' GraphQL types (invoices, payments, aging), resolved straight from
`projections.figures.payments`' figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from api.graphql.enums import AgingBucket, InvoiceStatus
from api.graphql.erasure import erasable


@strawberry.type
class AgingAmount:
    bucket: AgingBucket
    amount: Decimal


@strawberry.type
class Instalment:
    due_on: date
    amount: Decimal
    paid: Decimal


@strawberry.type
class Invoice:
    id: strawberry.ID
    amount: Decimal
    issued_on: date
    due_on: date
    balance: Decimal
    status: InvoiceStatus
    paid_on: date | None
    days_to_pay: int | None
    days_beyond_terms: int | None
    description: str | None = erasable("description")
    instalments: list[Instalment]


@strawberry.type
class Allocation:
    invoice_id: strawberry.ID
    amount: Decimal


@strawberry.type
class Payment:
    id: strawberry.ID
    amount: Decimal
    received_on: date
    method: str | None
    reversed: bool
    allocations: list[Allocation]


@strawberry.type
class PaymentHistory:
    currency: str
    invoiced: Decimal
    received: Decimal
    outstanding: Decimal
    overdue: Decimal
    credit: Decimal
    written_off: Decimal = strawberry.field(description=(
        "Money given up on by write-offs: not outstanding, and counted by the trust "
        "score's paymentPunctuality."))
    dso: float | None
    average_days_to_pay: float | None
    average_days_beyond_terms: float | None
    aging: list[AgingAmount]
    invoices: list[Invoice]
    payments: list[Payment]

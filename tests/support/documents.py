"""GraphQL documents and variables the tests share: every figure of a client, and
history lines (the import format) turned into `append` items and typed mutations."""

from __future__ import annotations

from typing import Any

CLIENT_FIELDS = """
fragment ClientFields on Client {
  ref name currency sector timezone paymentTermsDays state endReason version asOf
  trust { score band confidence clientSide vendorSide
          components { name side weight value observations } }
  gap {
    vendor { ...Side }
    client { ...Side }
  }
  payments {
    currency invoiced received outstanding overdue credit writtenOff dso averageDaysToPay
    averageDaysBeyondTerms
    aging { bucket amount }
    invoices { id amount issuedOn dueOn balance status paidOn daysToPay daysBeyondTerms
               description instalments { dueOn amount paid } }
    payments { id amount receivedOn method reversed allocations { invoiceId amount } }
  }
  signals { kind since evidence recommendation }
  complaints { id raisedBy category severity description filedOn acknowledgedOn resolvedOn
               open whatWentWrong correction prevention }
  contacts { id on channel direction purpose summary answered }
}
fragment Side on SideGap {
  counted onTime late overdue broken open onTimeRate meanDelayDays expectedAmount
  realizedAmount realizationRate
  items { id source kind obligor description expectedOn currentDueOn actualOn delayDays
          expectedAmount actualAmount status renegotiations }
}
"""

CLIENT_AND_POLICY = CLIENT_FIELDS + """
query Checkpoint($ref: ID!, $asOf: Date!) {
  client(ref: $ref, asOf: $asOf) { ...ClientFields }
  contactAllowed(ref: $ref, on: $asOf) { allowed used cap nextAllowedOn reason }
}
"""

APPEND = """
mutation Append($items: [AppendItem!]!) {
  append(items: $items) { events { clientRef version position entityId replayed } }
}
"""

#: the EventInput field of each event type, written out independently of the code
EVENT_FIELDS = {
    "ClientOnboarded": "onboardClient",
    "ClientProfileUpdated": "updateProfile",
    "RelationshipEnded": "endRelationship",
    "RelationshipResumed": "resumeRelationship",
    "PromiseMade": "makePromise",
    "PromiseRenegotiated": "renegotiatePromise",
    "PromiseKept": "keepPromise",
    "PromiseBroken": "breakPromise",
    "PromiseCancelled": "cancelPromise",
    "ExpectationRecorded": "recordExpectation",
    "ExpectationRevised": "reviseExpectation",
    "ExpectationMet": "meetExpectation",
    "ExpectationMissed": "missExpectation",
    "InvoiceIssued": "issueInvoice",
    "InvoiceDisputed": "disputeInvoice",
    "InvoiceDisputeResolved": "resolveDispute",
    "InvoiceWrittenOff": "writeOffInvoice",
    "PaymentPlanAgreed": "agreePaymentPlan",
    "PaymentReceived": "receivePayment",
    "PaymentReversed": "reversePayment",
    "ContactLogged": "logContact",
    "ComplaintFiled": "fileComplaint",
    "ComplaintAcknowledged": "acknowledgeComplaint",
    "ComplaintResolved": "resolveComplaint",
    "ComplaintReopened": "reopenComplaint",
    "ServiceRequested": "requestService",
    "AdviceGiven": "giveAdvice",
    "AdviceAnswered": "answerAdvice",
    "EntryRetracted": "retractEntry",
    "ClientForgotten": "forgetClient",
}

#: the input type of each typed mutation (the contract's Mutation fields): one per event type
TYPED_MUTATIONS = {field: field[0].upper() + field[1:] for field in EVENT_FIELDS.values()}


def event_input(line: dict[str, Any]) -> dict[str, Any]:
    """The EventInput of a history line: its data plus the client as `ref`."""
    return {EVENT_FIELDS[line["type"]]: {"ref": line["clientRef"], **line["data"]}}


def append_item(line: dict[str, Any], **meta: Any) -> dict[str, Any]:
    item_meta = {"occurredOn": line["occurredOn"], **meta}
    if line.get("idempotencyKey"):
        item_meta["idempotencyKey"] = line["idempotencyKey"]
    return {"event": event_input(line), "meta": item_meta}


def typed_mutation(field: str) -> str:
    return (f"mutation($input: {TYPED_MUTATIONS[field]}!, $meta: Meta) {{ {field}(input: $input, "
            "meta: $meta) { clientRef version position entityId replayed } }")


def fragment_bomb(levels: int, leaf: str = "__typename") -> str:
    """`query{...F0}` where each fragment spreads the next twice: 2**levels leaves."""
    fragments = [f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(levels)]
    return " ".join(["query { ...F0 }", *fragments, f"fragment F{levels} on Query {{ {leaf} }}"])

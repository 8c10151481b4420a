"""What every type, field, argument and enum value of the schema means, in plain words:
the descriptions GraphiQL's Docs panel shows and introspection returns.

A description written where a field is declared wins; `describe(schema)` fills in the
rest from the tables below: `TYPES` (a type and its fields and arguments, by name; the
enums and their values come from `api.graphql.enum_descriptions`), then `FIELDS` (what a
field or argument of that name means wherever it appears).  A typed mutation's argument
`input`, its input type and each field of `EventInput` take the mutation's own
description.  The figures' formulas are in docs/figures.md.
"""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)

from api.graphql.enum_descriptions import ENUMS

#: a type's description, then its members' (fields, `field(argument)`, enum values)
TYPES: dict[str, tuple[str, dict[str, str]]] = {
    "Query": ("What can be read: a client's figures, the list of clients, the portfolio, "
              "the record of events, the contact policy.", {
        "client(ref)": "The client's reference.",
        "clients(orderBy)": "How the clients are sorted (default by score, lowest first).",
        "clients(band)": "Only clients in this trust band.",
        "clients(signal)": "Only clients showing this signal.",
        "clients(state)": "Only clients in this state (active or ended).",
        "history(ref)": "The client's reference.",
        "events(types)": "Only events of these types (event names, e.g. \"PromiseMade\").",
        "contactAllowed(ref)": "The client's reference.",
        "contactAllowed(on)": "The day of the contact (default today).",
        "checkpoint(treeSize)": "The smallest checkpointed tree of at least this many "
                                "events (default: the latest checkpoint).",
        "inclusionProof(position)": "The event's position in the ledger.",
        "inclusionProof(treeSize)": "The tree to prove it in: the smallest checkpointed "
                                    "tree at least this large (default: the latest).",
        "consistencyProof(fromSize)": "The older tree's size (events).",
        "consistencyProof(toSize)": "The newer tree: the smallest checkpointed tree at "
                                    "least this large (default: the latest).",
    }),
    "Mutation": ("What can be written: events appended to the ledger, one at a time or "
                 "in a batch. Nothing is ever changed or deleted; a retraction is an "
                 "event too.", {}),
    "Subscription": ("What can be followed live, over WebSocket (graphql-transport-ws).", {
        "clientUpdated(ref)": "The client's reference.",
    }),
    "Client": ("A client as of a date, with every figure about the relationship.", {
        "name": "The client's name.",
        "currency": "The currency every amount of this client is in (ISO code).",
        "version": "How many events the client's stream holds (as known at the moment "
                   "asked); give it as expectedVersion to write safely.",
        "state": "Whether the relationship is active or ended, as of asOf.",
        "asOf": "The date these figures are as of.",
        "sector": "The client's line of business, if given.",
        "timezone": "The client's time zone (IANA name), if given.",
        "paymentTermsDays": "Days an invoice is due after it is issued, unless it says "
                            "otherwise.",
        "endReason": "Why the relationship ended (null while it is active).",
        "trust": "The trust score: how reliably both sides keep their word.",
        "gap": "What each side promised or expected, against what happened.",
        "payments": "Invoices, payments and the money owed.",
        "signals": "The early-warning signals that hold as of asOf.",
        "complaints": "Complaints of either side.",
        "contacts": "Contacts logged, the latest last.",
        "contacts(last)": "Only this many of the latest contacts.",
    }),
    "ClientConnection": ("A page of clients.", {
        "totalCount": "How many clients match, over every page."}),
    "ClientEdge": ("One client of a page, with its cursor.", {}),
    "EventConnection": ("A page of ledger events.", {}),
    "EventEdge": ("One event of a page, with its cursor.", {}),
    "PageInfo": ("Where a page ends.", {
        "hasNextPage": "Whether more items follow this page.",
        "endCursor": "Give it as `after` to get the next page (null on an empty page).",
    }),
    "Trust": ("How reliably both sides keep their word, scored from 0 to 100.", {
        "score": "The weighted mean of the components that can be measured (0 to 100); "
                 "null when none can.",
        "band": "The score's band (null without a score).",
        "confidence": "How much the score rests on: how many items, invoices and "
                      "complaints the window holds.",
        "clientSide": "The score of the client's side alone (0 to 100, null when nothing "
                      "of it can be measured).",
        "vendorSide": "The score of our side alone (0 to 100, null when nothing of it can "
                      "be measured).",
        "components": "Each part of the score, with its weight and value.",
    }),
    "TrustComponent": ("One part of the trust score.", {
        "name": "The component's name, e.g. paymentPunctuality.",
        "side": "Whose behaviour it measures.",
        "weight": "Its weight in the score.",
        "value": "Its value from 0 to 100 (null when there is nothing to measure).",
        "observations": "How many things it was measured on.",
    }),
    "Gap": ("What each side promised or expected, against what happened, over the last "
            "365 days.", {
        "vendor": "Our side: what we promised, and what the client expected of us.",
        "client": "The client's side: what they promised, and what we expected of them.",
    }),
    "SideGap": ("One side's promises and expectations and how they turned out.", {
        "counted": "Items with an outcome: every item except the open ones not yet due.",
        "onTime": "Items kept or met on time (or that had no date).",
        "late": "Items kept or met late.",
        "overdue": "Items past their date and not settled.",
        "broken": "Items broken or missed.",
        "open": "Items not yet due (not counted).",
        "onTimeRate": "onTime ÷ counted (null when nothing is counted).",
        "meanDelayDays": "The mean delay in days of the late and overdue items (null when "
                         "there are none).",
        "expectedAmount": "The amounts the counted items were for, where they had one.",
        "realizedAmount": "What was realized of those amounts.",
        "realizationRate": "realizedAmount ÷ expectedAmount (null without amounts).",
        "items": "Every item of the window.",
    }),
    "GapItem": ("A promise or an expectation, and how it turned out.", {
        "id": "The promise's or expectation's id.",
        "source": "Whether it is a promise or an expectation.",
        "kind": "What it is about.",
        "obligor": "The side that owes it.",
        "description": "What was promised or expected, in words.",
        "expectedOn": "The date first given.",
        "currentDueOn": "The date now in force, after renegotiations.",
        "actualOn": "When it was kept, met, broken or missed (null while open).",
        "delayDays": "Days from expectedOn to actualOn (overdue: to asOf); negative is "
                     "early; null while open or without a date.",
        "expectedAmount": "The amount it was for, if any.",
        "actualAmount": "The amount that came of it, if any.",
        "status": "Where it stands as of asOf.",
        "renegotiations": "How many times its date was moved by agreement.",
    }),
    "PaymentHistory": ("The client's invoices and payments, and what is owed, as of "
                       "asOf.", {
        "currency": "The currency of every amount here.",
        "invoiced": "The amounts of every invoice issued.",
        "received": "Every payment received and not reversed.",
        "outstanding": "The open balances, disputed ones included.",
        "overdue": "The parts of open balances past due, except disputed invoices.",
        "credit": "Money received that no invoice could take (yet).",
        "dso": "Days sales outstanding: outstanding ÷ the amounts invoiced in the 90 days "
               "up to asOf × 90 (null without invoices in them).",
        "averageDaysToPay": "The mean days from issue to payment of the invoices paid, "
                            "due in the last 365 days (null without any).",
        "averageDaysBeyondTerms": "The mean days past due of the payments applied to "
                                  "invoices in the last 365 days, weighted by amount (null "
                                  "without any).",
        "aging": "The overdue amounts by how long they are overdue.",
        "invoices": "Every invoice, the oldest first.",
        "payments": "Every payment, the oldest first.",
    }),
    "Invoice": ("An invoice to the client.", {
        "id": "The invoice's id.",
        "amount": "The amount invoiced.",
        "issuedOn": "When it was issued.",
        "dueOn": "When it is due.",
        "balance": "What is still owed on it.",
        "status": "Where it stands as of asOf.",
        "paidOn": "When its balance reached 0 by payments (null otherwise).",
        "daysToPay": "Days from issue to paidOn (null while unpaid).",
        "daysBeyondTerms": "Days after dueOn it was paid, 0 when on time (null while "
                           "unpaid).",
        "description": "What it is for.",
        "instalments": "Its payment plan's instalments, if a plan was agreed.",
    }),
    "Instalment": ("One instalment of a payment plan.", {
        "dueOn": "When it is due.", "amount": "Its amount.",
        "paid": "Whether payments have covered it.",
    }),
    "Payment": ("A payment received from the client.", {
        "id": "The payment's id.", "amount": "The amount received.",
        "receivedOn": "When it was received.", "method": "How it was paid, if given.",
        "reversed": "Whether it was reversed (bounced or refunded): it then counts for "
                    "nothing.",
        "allocations": "The invoices it paid, and how much of each.",
    }),
    "Allocation": ("The part of a payment that went to one invoice.", {
        "invoiceId": "The invoice paid.", "amount": "How much of the payment went to it.",
    }),
    "AgingAmount": ("The overdue amount of one aging bucket.", {
        "bucket": "How long it is overdue.", "amount": "The amount.",
    }),
    "Complaint": ("A complaint by either side.", {
        "id": "The complaint's id.", "raisedBy": "The side that complained.",
        "category": "What it is about.", "severity": "How serious it is.",
        "description": "The complaint, in words.", "filedOn": "When it was filed.",
        "acknowledgedOn": "When it was acknowledged (null if not yet).",
        "resolvedOn": "When it was last resolved (null while open).",
        "open": "Whether it is still open.",
        "whatWentWrong": "What went wrong, as the resolution says.",
        "correction": "What was done about it.",
        "prevention": "What keeps it from happening again.",
    }),
    "Contact": ("A contact with the client that happened.", {
        "id": "The contact's id.", "on": "When it happened.", "channel": "How.",
        "direction": "Who reached out.", "purpose": "What it was for.",
        "summary": "What was said, in short.",
        "answered": "Whether the client answered (an inbound contact is answered).",
    }),
    "Signal": ("An early warning about the relationship, with what to do.", {
        "kind": "Which warning.",
        "since": "The first day of the current unbroken run of days it held (null when "
                 "it held on all of the last 365).",
        "evidence": "Sentences naming the ids and counts behind it.",
        "recommendation": "What to do about it, in one line.",
    }),
    "SignalCount": ("How many clients show a signal.", {
        "kind": "The signal.", "count": "How many clients show it."}),
    "BandCount": ("How many clients are in a trust band.", {
        "band": "The band.", "count": "How many clients are in it."}),
    "CurrencyTotals": ("Money owed across clients, in one currency.", {
        "currency": "The currency.", "outstanding": "Open balances, disputed included.",
        "overdue": "Overdue balances, disputed excluded.",
        "writtenOff": "Money given up on by write-offs up to the date: not outstanding.",
        "aging": "The overdue amounts by how long they are overdue.",
    }),
    "Portfolio": ("Every client at once, as of a date.", {
        "asOf": "The date these figures are as of.",
        "clients": "How many clients there are.",
        "byBand": "How many clients are in each trust band.",
        "unscored": "How many clients have no score yet.",
        "totals": "Money owed, one line per currency.",
        "signals": "How many clients show each signal.",
    }),
    "ContactPolicy": ("Whether one more collection contact is allowed, under the "
                      "client's weekly cap.", {
        "allowed": "Whether it is allowed.",
        "used": "Outbound collection contacts in the 7 days up to that day.",
        "cap": "The client's cap (contactCap).",
        "nextAllowedOn": "The first day another would be allowed (null when allowed now).",
        "reason": "Why, in words.",
    }),
    "LedgerEvent": ("One event of the ledger, as recorded.", {
        "clientRef": "The client it is about.",
        "version": "Its version in the client's stream (1, 2, …).",
        "position": "Its position in the whole ledger; use it as a cursor.",
        "type": "The event's name, e.g. \"PromiseMade\".",
        "occurredOn": "When it happened.",
        "recordedAt": "When the ledger recorded it (UTC).",
        "actor": "Who wrote it (the API key's name).",
        "idempotencyKey": "The idempotency key it was written with, if any.",
        "retracted": "Whether a later retraction names it: the figures then ignore it.",
        "data": "The event's own fields, camelCase.",
        "leafHash": "Its leaf hash in the ledger's Merkle tree (hex SHA-256; docs/audit.md).",
    }),
    "Checkpoint": ("A signed tree head: the root of the Merkle tree over the first "
                   "treeSize events, signed by the ledger (docs/audit.md).", {
        "treeSize": "How many events the tree holds (the first ones of the ledger).",
        "rootHash": "The tree's root hash (hex SHA-256, RFC 9162).",
        "issuedAt": "When it was signed (UTC), exactly as signed.",
        "keyId": "The signing key: the first 16 hex digits of SHA-256 of its public key.",
        "signature": "Ed25519 over the canonical JSON of treeSize, rootHash and issuedAt "
                     "(base64).",
    }),
    "CheckpointEdge": ("One checkpoint of a page.", {}),
    "CheckpointConnection": ("A page of checkpoints, in the order issued.", {}),
    "InclusionProof": ("Proof that an event is in a checkpoint's tree (RFC 9162 "
                       "§2.1.3).", {
        "position": "The event's position in the ledger.",
        "treeSize": "The size of the checkpointed tree it is proven in.",
        "leafHash": "The event's leaf hash (hex).",
        "path": "The audit path, from the leaf up (hex hashes).",
        "checkpoint": "The checkpoint of that tree.",
    }),
    "ConsistencyProof": ("Proof that an older tree is a prefix of a checkpoint's tree "
                         "(RFC 9162 §2.1.4): nothing in it was rewritten, removed or "
                         "reordered.", {
        "fromSize": "The older tree's size.",
        "toSize": "The size of the checkpointed tree it is a prefix of.",
        "path": "The consistency proof (hex hashes).",
        "checkpoint": "The checkpoint of the newer tree.",
    }),
    "Appended": ("An event the ledger recorded (or had recorded: a replay).", {
        "clientRef": "The client it is about.",
        "version": "Its version in the client's stream.",
        "position": "Its position in the whole ledger.",
        "entityId": "The id of what it created or names (a promise, an invoice, …), "
                    "given or generated.",
        "replayed": "True when this idempotency key was already used with the same "
                    "event: nothing new was written.",
    }),
    "AppendResult": ("What a batch recorded.", {
        "events": "One result per item, in the batch's order."}),
    "AppendItem": ("One event of a batch.", {
        "event": "The event: exactly one field set."}),
    "Meta": ("How an event is recorded.", {
        "occurredOn": "When it happened (default today; never in the future).",
        "idempotencyKey": "A key of yours: the same key with the same event is recorded "
                          "once; with another event it is refused.",
        "expectedVersion": "Refuse unless the client's stream is at this version.",
    }),
    "EventInput": ("One event, of any type: exactly one field set.", {}),
    "InstalmentInput": ("One instalment of a payment plan.", {
        "dueOn": "When it is due.", "amount": "Its amount."}),
    **ENUMS,
}

#: what a field or argument of a name means wherever the tables above leave it out
FIELDS: dict[str, str] = {
    "ref": "The client's reference (your id for the client).",
    "asOf": "The date the figures are as of (default today).",
    "knownAt": "Read the ledger as it was known at this moment (default now).",
    "first": "How many items a page holds.",
    "after": "The cursor of the last item seen (the previous page's endCursor).",
    "cursor": "Give it as `after` to continue after this item.",
    "node": "The item.", "edges": "The page's items.", "pageInfo": "Where the page ends.",
    "meta": "When it happened, an idempotency key, the stream version expected.",
    "reason": "Why, in words.", "note": "A note, in words.",
    "description": "What it is, in words.", "summary": "What it was, in short.",
    "name": "The client's name.", "currency": "The currency of every amount (ISO code).",
    "sector": "The client's line of business.", "timezone": "The client's time zone "
    "(IANA name, e.g. Europe/Madrid).",
    "paymentTermsDays": "Days an invoice is due after it is issued.",
    "contactCap": "Most outbound collection contacts in 7 days.",
    "promiseId": "The promise's id (given, or generated when left out).",
    "expectationId": "The expectation's id (given, or generated when left out).",
    "invoiceId": "The invoice's id (given, or generated when left out).",
    "invoiceIds": "The invoices it covers.", "planId": "The plan's id (or generated).",
    "paymentId": "The payment's id (given, or generated when left out).",
    "complaintId": "The complaint's id (given, or generated when left out).",
    "contactId": "The contact's id (given, or generated when left out).",
    "adviceId": "The advice's id (given, or generated when left out).",
    "requestId": "The request's id (given, or generated when left out).",
    "amount": "The amount, a decimal in the client's currency.",
    "dueOn": "When it is due.", "by": "The side that promises.",
    "heldBy": "The side that expects.", "kind": "What it is about.",
    "expectedOn": "When it is expected.", "expectedAmount": "The amount expected.",
    "actualAmount": "The amount that came of it.", "basis": "Where it comes from.",
    "newDueOn": "The new date agreed.", "newAmount": "The new amount agreed.",
    "outcome": "How it was settled.", "creditAmount": "The credit an upheld dispute gives.",
    "instalments": "The instalments, by due date.", "method": "How it was paid.",
    "channel": "How.", "direction": "Who reached out.", "purpose": "What it was for.",
    "answered": "Whether the client answered.", "raisedBy": "The side that complains.",
    "category": "What it is about.", "severity": "How serious it is.",
    "whatWentWrong": "What went wrong.", "correction": "What was done about it.",
    "prevention": "What keeps it from happening again.",
    "inOffering": "Whether it is among the services we offer.",
    "accepted": "Whether the client accepted the advice.",
    "version": "The version of the entry retracted, in the client's stream.",
    "types": "Only events of these types.",
    "items": "The events, in order: all of them are recorded, or none.",
}

SCALARS = {"ID": "An identifier, sent and read as a string.",
           "String": "Text.", "Int": "A whole number.", "Float": "A number.",
           "Boolean": "true or false."}


def describe(schema: GraphQLSchema) -> None:
    """Fill in every description the declarations left out."""
    mutations = schema.mutation_type
    said = {} if mutations is None else {name: f.description
                                         for name, f in mutations.fields.items()}
    said_of_input = {get_named_type(f.args["input"].type).name: f.description
                     for f in ([] if mutations is None else mutations.fields.values())
                     if "input" in f.args}
    for name, named in schema.type_map.items():
        if name.startswith("__"):
            continue
        own, members = TYPES.get(name, (SCALARS.get(name) or said_of_input.get(name, ""), {}))
        named.description = named.description or own or None
        if isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                value.description = value.description or members.get(value_name)
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType
                          | GraphQLInputObjectType):
            continue
        for field_name, field in named.fields.items():
            field.description = (field.description or members.get(field_name)
                                 or (said.get(field_name) if name == "EventInput" else None)
                                 or FIELDS.get(field_name))
            for arg_name, arg in getattr(field, "args", {}).items():
                arg.description = (arg.description or members.get(f"{field_name}({arg_name})")
                                   or (said.get(field_name) if arg_name == "input" else None)
                                   or FIELDS.get(arg_name))

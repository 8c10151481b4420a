// Every GraphQL document the dashboard sends: docs/dashboard.md names which page uses which.

export const PORTFOLIO = `query Portfolio($asOf: Date) {
  portfolio(asOf: $asOf) {
    asOf clients unscored
    byBand { band count }
    totals { currency outstanding overdue aging { bucket amount } }
    signals { kind count }
  }
}`;

export const CLIENTS = `query Clients($asOf: Date, $first: Int, $after: String, $orderBy: ClientOrder,
    $band: Band, $signal: SignalKind, $state: RelationshipState) {
  clients(asOf: $asOf, first: $first, after: $after, orderBy: $orderBy,
          band: $band, signal: $signal, state: $state) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      ref name currency state
      trust { score band }
      payments { outstanding overdue writtenOff }
      signals { kind }
    } }
  }
}`;

const CLIENT_FIELDS = `
  ref name currency state asOf version sector timezone paymentTermsDays endReason
  trust {
    score band confidence clientSide vendorSide
    components { name side weight value observations }
  }
  gap {
    client { ...Side }
    vendor { ...Side }
  }
  payments {
    currency invoiced received outstanding overdue credit writtenOff
    dso averageDaysToPay averageDaysBeyondTerms
    aging { bucket amount }
    invoices { id description amount issuedOn dueOn balance status paidOn daysToPay daysBeyondTerms
               instalments { dueOn amount paid } }
    payments { id amount receivedOn method reversed allocations { invoiceId amount } }
  }
  signals { kind since evidence recommendation }
  complaints { id raisedBy category severity description filedOn acknowledgedOn resolvedOn open
               whatWentWrong correction prevention }
  contacts(last: 10) { id on channel direction purpose summary answered }`;

const SIDE = `fragment Side on SideGap {
  counted onTime late overdue broken open onTimeRate meanDelayDays
  expectedAmount realizedAmount realizationRate
  items { id source kind obligor description expectedOn currentDueOn actualOn delayDays
          expectedAmount actualAmount status renegotiations }
}`;

export const CLIENT = `query Client($ref: ID!, $asOf: Date) {
  client(ref: $ref, asOf: $asOf) { ${CLIENT_FIELDS} }
  contactAllowed(ref: $ref, on: $asOf) { allowed used cap nextAllowedOn reason }
}
${SIDE}`;

export const CLIENT_UPDATED = `subscription ClientUpdated($ref: ID!) {
  clientUpdated(ref: $ref) { ${CLIENT_FIELDS} }
}
${SIDE}`;

export const CONTACT_ALLOWED = `query ContactAllowed($ref: ID!, $on: Date) {
  contactAllowed(ref: $ref, on: $on) { allowed used cap nextAllowedOn reason }
}`;

export const CLIENT_PICKER = `query ClientPicker($after: String) {
  clients(first: 100, after: $after, orderBy: NAME_ASC) {
    pageInfo { hasNextPage endCursor }
    edges { node { ref name } }
  }
}`;

const EVENT_FIELDS = "position version type occurredOn recordedAt actor idempotencyKey retracted data";

export const HISTORY = `query History($ref: ID!, $knownAt: DateTime, $after: String) {
  history(ref: $ref, knownAt: $knownAt, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { ${EVENT_FIELDS} } }
  }
  client(ref: $ref, knownAt: $knownAt) {
    ref name asOf version state
    trust { score band confidence }
    payments { currency invoiced received outstanding overdue writtenOff }
    signals { kind }
  }
}`;

// Tamper evidence (contract/schema.next.graphql): a server without it answers these with
// a validation error "Cannot query field …", and the panel says it is not available.
export const CHECKPOINT = `query Checkpoint {
  checkpoint { treeSize rootHash issuedAt keyId signature }
}`;

export const LEAF_HASHES = `query LeafHashes($ref: ID!, $knownAt: DateTime, $after: String) {
  history(ref: $ref, knownAt: $knownAt, first: 100, after: $after) {
    edges { node { position leafHash } }
  }
}`;

export const INCLUSION_PROOF = `query InclusionProof($position: Int!, $treeSize: Int) {
  inclusionProof(position: $position, treeSize: $treeSize) {
    position treeSize leafHash path
    checkpoint { treeSize rootHash issuedAt keyId signature }
  }
}`;

export const TODAY = `query Today($on: Date, $after: String) {
  clients(asOf: $on, first: 100, after: $after, orderBy: OUTSTANDING_DESC, state: ACTIVE) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      ref name currency asOf
      trust { score band }
      payments { outstanding overdue }
      signals { kind evidence recommendation }
    } }
  }
}`;

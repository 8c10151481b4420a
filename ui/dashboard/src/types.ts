// The shapes of the answers, as the queries of queries.ts ask for them.

export type Band = "STRONG" | "STEADY" | "STRAINED" | "AT_RISK";
export const BANDS: Band[] = ["STRONG", "STEADY", "STRAINED", "AT_RISK"];
export const SIGNALS = [
  "CHRONIC_LATE_PAYER", "BROKEN_PAYMENT_PROMISES", "OVERCOMMITTING", "MISTREATMENT",
  "OUT_OF_SCOPE_DEMANDS", "EXPERTISE_NOT_VALUED", "CONTACT_CAP_REACHED",
  "UNANSWERED_FOLLOW_UPS", "ILLUSORY_PIPELINE", "TOUCH_GROUND",
] as const;
export type SignalKind = (typeof SIGNALS)[number];
export const BUCKETS = ["CURRENT", "DAYS_1_30", "DAYS_31_60", "DAYS_61_90", "DAYS_90_PLUS"] as const;
export type Bucket = (typeof BUCKETS)[number];

export interface Aging { bucket: Bucket; amount: string }
export interface Portfolio {
  asOf: string; clients: number; unscored: number;
  byBand: { band: Band; count: number }[];
  totals: { currency: string; outstanding: string; overdue: string; aging: Aging[] }[];
  signals: { kind: SignalKind; count: number }[];
}
export interface PageInfo { hasNextPage: boolean; endCursor: string | null }
export interface ClientRow {
  ref: string; name: string; currency: string; state: "ACTIVE" | "ENDED";
  trust: { score: number | null; band: Band | null };
  payments: { outstanding: string; overdue: string; writtenOff: string };
  signals: { kind: SignalKind }[];
}
export interface ClientPage { totalCount: number; pageInfo: PageInfo; edges: { cursor: string; node: ClientRow }[] }

export interface Component { name: string; side: "CLIENT" | "VENDOR"; weight: number; value: number | null; observations: number }
export interface GapItem {
  id: string; source: string; kind: string; obligor: string; description: string;
  expectedOn: string | null; currentDueOn: string | null; actualOn: string | null;
  delayDays: number | null; expectedAmount: string | null; actualAmount: string | null;
  status: string; renegotiations: number;
}
export interface SideGap {
  counted: number; onTime: number; late: number; overdue: number; broken: number; open: number;
  onTimeRate: number | null; meanDelayDays: number | null; expectedAmount: string | null;
  realizedAmount: string | null; realizationRate: number | null; items: GapItem[];
}
export interface Invoice {
  id: string; description: string | null; amount: string; issuedOn: string; dueOn: string;
  balance: string; status: string; paidOn: string | null; daysToPay: number | null;
  daysBeyondTerms: number | null; instalments: { dueOn: string; amount: string; paid: string }[];
}
export interface Payment {
  id: string; amount: string; receivedOn: string; method: string | null; reversed: boolean;
  allocations: { invoiceId: string; amount: string }[];
}
export interface Signal { kind: SignalKind; since: string | null; evidence: string[]; recommendation: string }
export interface Complaint {
  id: string; raisedBy: string; category: string; severity: string; description: string;
  filedOn: string; acknowledgedOn: string | null; resolvedOn: string | null; open: boolean;
  whatWentWrong: string | null; correction: string | null; prevention: string | null;
}
export interface Contact { id: string; on: string; channel: string; direction: string; purpose: string; summary: string; answered: boolean }
export interface ContactPolicy { allowed: boolean; used: number; cap: number; nextAllowedOn: string | null; reason: string }
export interface Client {
  ref: string; name: string; currency: string; state: string; asOf: string; version: number;
  sector: string | null; timezone: string | null; paymentTermsDays: number; endReason: string | null;
  trust: {
    score: number | null; band: Band | null; confidence: string;
    clientSide: number | null; vendorSide: number | null; components: Component[];
  };
  gap: { client: SideGap; vendor: SideGap };
  payments: {
    currency: string; invoiced: string; received: string; outstanding: string; overdue: string;
    credit: string; writtenOff: string; dso: number | null; averageDaysToPay: number | null;
    averageDaysBeyondTerms: number | null; aging: Aging[]; invoices: Invoice[]; payments: Payment[];
  };
  signals: Signal[];
  complaints: Complaint[];
  contacts: Contact[];
}
export interface LedgerEvent {
  position: number; version: number; type: string; occurredOn: string; recordedAt: string;
  actor: string | null; idempotencyKey: string | null; retracted: boolean; data: Record<string, unknown>;
}
export interface Checkpoint { treeSize: number; rootHash: string; issuedAt: string; keyId: string; signature: string }
export interface InclusionProof { position: number; treeSize: number; leafHash: string; path: string[]; checkpoint: Checkpoint }

// Auditor: a client's history with both times, the actor and retraction marks; a knownAt
// control that shows the figures as the ledger knew them then; and tamper evidence (the
// latest checkpoint, any event's inclusion proof, verified here) where the server has it.
import { ApiError, query } from "../graphql";
import { CHECKPOINT, HISTORY, INCLUSION_PROOF, LEAF_HASHES } from "../queries";
import type { Checkpoint, InclusionProof, LedgerEvent, PageInfo } from "../types";
import { figure, h, section } from "../dom";
import { moment, money, score, words } from "../format";
import { clientPicker } from "./picker";
import { go, href, type Route } from "../route";
import { verifyInclusion } from "../merkle";

interface History {
  history: { pageInfo: PageInfo; edges: { node: LedgerEvent }[] };
  client: {
    ref: string; name: string; asOf: string; version: number; state: string;
    trust: { score: number | null; band: string | null; confidence: string };
    payments: { currency: string; invoiced: string; received: string; outstanding: string; overdue: string; writtenOff: string };
    signals: { kind: string }[];
  } | null;
}

/** "2026-06-01T12:00" (a datetime-local value, read as UTC) → "2026-06-01T12:00:00+00:00". */
export function utcMoment(local: string): string {
  const withSeconds = local.length === 16 ? `${local}:00` : local;
  return `${withSeconds}+00:00`;
}

export async function renderAuditor(into: HTMLElement, route: Route): Promise<void> {
  if (!route.arg) {
    into.append(h("h1", {}, "Auditor"), await clientPicker("auditor", "Choose a client to audit"));
    return;
  }
  const ref = route.arg;
  const knownAt = route.params.get("knownAt");
  const events: LedgerEvent[] = [];
  let after: string | null = null;
  let client: History["client"] = null;
  do {
    const answer: History = await query<History>(HISTORY, { ref, knownAt, after });
    events.push(...answer.history.edges.map((e) => e.node));
    client = answer.client;
    after = answer.history.pageInfo.hasNextPage ? answer.history.pageInfo.endCursor : null;
  } while (after);
  const tamper = await tamperEvidence(ref, knownAt);

  const input = h("input", {
    id: "known-at", type: "datetime-local", step: 1, name: "knownAt",
    value: knownAt ? knownAt.slice(0, 19) : "",
  }) as HTMLInputElement;
  const form = h("form", { class: "control-row", "aria-label": "Known at", onsubmit: (e: Event) => {
    e.preventDefault();
    go("auditor", ref, { knownAt: input.value ? utcMoment(input.value) : null });
  } },
  h("div", { class: "control" }, h("label", { for: "known-at" }, "Known at (UTC)"), input),
  h("button", { type: "submit" }, "Show as known then"),
  knownAt ? h("a", { href: href("auditor", ref), class: "button" }, "Back to now") : "");

  into.append(
    h("div", { class: "page-head" },
      h("h1", {}, "History of ", client?.name ?? ref, " ",
        h("span", { class: "as-of" }, knownAt ? `as known at ${moment(knownAt)}` : "as known now")),
      form),
    client ? section("Figures as the ledger knew them", "known-title",
      h("dl", { class: "figures" },
        figure("Events known", events.length, "events-known"),
        figure("Version", client.version, "known-version"),
        figure("Score", score(client.trust.score), "known-score"),
        figure("Band", client.trust.band ? words(client.trust.band) : "unscored"),
        figure("Outstanding", money(client.payments.outstanding, client.payments.currency), "known-outstanding"),
        figure("Overdue", money(client.payments.overdue, client.payments.currency), "known-overdue"),
        figure("Signals", client.signals.map((s) => words(s.kind)).join(", ") || "none")),
      h("p", {}, h("a", { href: href("client", ref) }, "The client's page (figures as known now)")))
      : h("p", { class: "card" }, "The ledger did not know this client then."),
    tamper.panel,
    section("Events", "events-title", eventsTable(events, ref, tamper)),
  );
}

interface Tamper {
  panel: HTMLElement;
  checkpoint: Checkpoint | null;
  leafHashes: Map<number, string>;
}

async function tamperEvidence(ref: string, knownAt: string | null): Promise<Tamper> {
  const panel = section("Tamper evidence", "tamper-title");
  panel.dataset.testid = "tamper";
  let checkpoint: Checkpoint;
  try {
    checkpoint = (await query<{ checkpoint: Checkpoint }>(CHECKPOINT)).checkpoint;
  } catch (error) {
    if (error instanceof ApiError && error.unknownField) {
      panel.append(h("p", { "data-testid": "tamper-absent" },
        "Tamper evidence (checkpoints and inclusion proofs) is not available on this server."));
      return { panel, checkpoint: null, leafHashes: new Map() };
    }
    throw error;
  }
  const leafHashes = new Map<number, string>();
  const answer = await query<{ history: { edges: { node: { position: number; leafHash: string } }[] } }>(
    LEAF_HASHES, { ref, knownAt });
  for (const { node } of answer.history.edges) leafHashes.set(node.position, node.leafHash);
  panel.append(
    h("dl", { class: "figures" },
      figure("Latest checkpoint: tree size", checkpoint.treeSize, "checkpoint-size"),
      figure("Root hash", h("code", { class: "hash" }, checkpoint.rootHash)),
      figure("Issued at", moment(checkpoint.issuedAt)),
      figure("Key", h("code", {}, checkpoint.keyId))),
    h("p", { class: "hint" }, "Prove an event (its button in the table): the browser recomputes the root from the event's leaf hash and the proof's path (RFC 9162) and compares it with the checkpoint's."));
  return { panel, checkpoint, leafHashes };
}

async function prove(position: number, leafHash: string, checkpoint: Checkpoint, out: HTMLElement): Promise<void> {
  out.textContent = "proving…";
  try {
    const { inclusionProof: proof } = await query<{ inclusionProof: InclusionProof }>(
      INCLUSION_PROOF, { position, treeSize: checkpoint.treeSize });
    const sameLeaf = proof.leafHash === leafHash;
    const verified = sameLeaf && await verifyInclusion(position - 1, proof.treeSize, proof.leafHash, proof.path, proof.checkpoint.rootHash);
    out.textContent = verified
      ? `verified: in the tree of ${proof.treeSize} events (path of ${proof.path.length})`
      : sameLeaf ? "NOT verified: the path does not lead to the checkpoint's root" : "NOT verified: the proof is for another leaf";
    out.className = verified ? "status ok" : "status bad";
  } catch (error) {
    out.textContent = error instanceof Error ? error.message : String(error);
    out.className = "status bad";
  }
}

function eventsTable(events: LedgerEvent[], ref: string, tamper: Tamper): HTMLElement {
  const head = ["Pos.", "Ver.", "Event", "Occurred on", "Recorded at", "Actor", "What", "Known then"];
  if (tamper.checkpoint) head.push("Proof");
  return h("div", { class: "scroll" }, h("table", { class: "history", "data-testid": "history" },
    h("caption", {}, "Every event of the client's stream, in order (both times: when it happened, when it was recorded)"),
    h("thead", {}, h("tr", {}, head.map((cell) => h("th", { scope: "col" }, cell)))),
    h("tbody", {}, events.map((e) => {
      const out = h("span", { "aria-live": "polite" });
      const leaf = tamper.leafHashes.get(e.position);
      return h("tr", { class: e.retracted ? "retracted" : "", "data-position": e.position },
        h("td", {}, e.position), h("td", {}, e.version),
        h("td", {}, e.retracted ? h("s", {}, e.type) : e.type, e.retracted ? h("span", { class: "tag" }, " retracted") : ""),
        h("td", {}, e.occurredOn), h("td", {}, moment(e.recordedAt)), h("td", {}, e.actor ?? "—"),
        h("td", { class: "data" }, summary(e.data)),
        h("td", {}, h("a", { href: href("auditor", ref, { knownAt: e.recordedAt }), "aria-label": `Show as known at ${moment(e.recordedAt)}` }, "as known")),
        tamper.checkpoint ? h("td", {}, leaf && e.position <= tamper.checkpoint.treeSize
          ? [h("button", { type: "button", onclick: () => void prove(e.position, leaf, tamper.checkpoint as Checkpoint, out) }, "Prove"), " ", out]
          : "after the checkpoint") : null);
    }))));
}

function summary(data: Record<string, unknown>): string {
  return Object.entries(data).filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`).join(" · ");
}

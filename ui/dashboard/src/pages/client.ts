// Client: the trust score and its components, both sides' gap as a timeline, the payment
// history, signals, complaints, contacts and the contact protocol; live while it shows
// today (clientUpdated).
import { ApiError, query, subscribe } from "../graphql";
import { CLIENT, CLIENT_UPDATED, CONTACT_ALLOWED } from "../queries";
import type { Client, ContactPolicy, GapItem, SideGap } from "../types";
import { BUCKETS } from "../types";
import { figure, h, section, table } from "../dom";
import { bucketLabel, days, money, rate, score, words } from "../format";
import { shiftDay, span, stackedBars, valueBars } from "../charts";
import { datePicker, learnToday } from "./controls";
import { clientPicker } from "./picker";
import { go, href, type Route } from "../route";

export async function renderClient(into: HTMLElement, route: Route): Promise<(() => void) | void> {
  if (!route.arg) {
    into.append(h("h1", {}, "Client"), await clientPicker("client", "Choose a client"));
    return;
  }
  const ref = route.arg;
  const asOf = route.params.get("asOf");
  const answer = await query<{ client: Client | null; contactAllowed: ContactPolicy }>(CLIENT, { ref, asOf })
    .catch((error: unknown) => {
      if (error instanceof ApiError && error.code === "UNKNOWN_CLIENT") return { client: null, contactAllowed: null };
      throw error;
    });
  if (!answer.client) {
    into.append(h("h1", {}, "Client"), h("p", { class: "card error", role: "alert" },
      `No client "${ref}" as of ${asOf ?? "today"}.`));
    return;
  }
  if (!asOf) learnToday(answer.client.asOf);
  const body = h("div", { class: "client-body" });
  const status = h("p", { class: "live", "data-testid": "live", role: "status" });
  into.append(body);
  draw(body, status, answer.client, answer.contactAllowed as ContactPolicy);
  if (asOf) {
    status.textContent = "Figures of a past date: not live.";
    return;
  }
  status.textContent = "Live: updates as the ledger changes.";
  let answers = 0;
  return subscribe<{ clientUpdated: Client }>(CLIENT_UPDATED, { ref }, async (data) => {
    answers += 1; // the first answer is the current figures: those shown, unless they just changed
    const policy = await query<{ contactAllowed: ContactPolicy }>(CONTACT_ALLOWED, { ref, on: null });
    draw(body, status, data.clientUpdated, policy.contactAllowed);
    const updates = answers - 1;
    if (updates) status.textContent = `Live: updated ${updates} time${updates === 1 ? "" : "s"} since the page opened.`;
  }, (error) => { status.textContent = `Not live: ${error.message}`; });
}

function draw(body: HTMLElement, status: HTMLElement, c: Client, policy: ContactPolicy): void {
  body.replaceChildren(
    h("div", { class: "page-head" },
      h("h1", {}, c.name, " ", h("span", { class: "as-of" }, `as of ${c.asOf}`)),
      datePicker("As of", c.asOf, (day) => go("client", c.ref, { asOf: day })),
      h("a", { href: href("auditor", c.ref), class: "button" }, "Open its history (Auditor)")),
    status,
    h("dl", { class: "figures" },
      figure("Reference", h("code", {}, c.ref)), figure("State", words(c.state) + (c.endReason ? ` (${words(c.endReason)})` : "")),
      figure("Sector", c.sector), figure("Currency", c.currency),
      figure("Terms", `${c.paymentTermsDays} days`), figure("Version", c.version, "version")),
    h("div", { class: "columns" }, trust(c), protocol(policy)),
    gap(c),
    payments(c),
    signals(c),
    h("div", { class: "columns" }, complaints(c), contacts(c)),
  );
}

function trust(c: Client): HTMLElement {
  const t = c.trust;
  return section("Trust", "trust-title",
    h("dl", { class: "figures" },
      figure("Score", score(t.score), "trust-score"), figure("Band", t.band ? words(t.band) : "unscored", "trust-band"),
      figure("Confidence", words(t.confidence)),
      figure("Client side", score(t.clientSide), "client-side"), figure("Our side", score(t.vendorSide), "vendor-side")),
    valueBars("Trust components, 0 to 100", t.components.map((k) => ({
      label: `${k.name} (${k.side === "CLIENT" ? "client side" : "our side"})`,
      value: k.value, className: k.side === "CLIENT" ? "side-client" : "side-vendor",
      detail: `weight ${k.weight} · ${k.observations} observation${k.observations === 1 ? "" : "s"}`,
    }))));
}

function protocol(p: ContactPolicy): HTMLElement {
  return section("May we contact them?", "protocol-title",
    h("p", { class: p.allowed ? "verdict yes" : "verdict no", "data-testid": "contact-verdict" },
      p.allowed ? "Yes, a collection contact is allowed today." : "Not today."),
    h("p", {}, p.reason),
    h("dl", { class: "figures" },
      figure("Collection contacts (7 days)", `${p.used} of ${p.cap}`),
      figure("Next allowed", p.nextAllowedOn ?? (p.allowed ? "today" : "only after an event (see above)"))));
}

const STATUS_CLASS: Record<string, string> = {
  KEPT: "ok", MET: "ok", OPEN: "open", OVERDUE: "bad", BROKEN: "bad", MISSED: "bad", CANCELLED: "muted",
};

function gap(c: Client): HTMLElement {
  const from = shiftDay(c.asOf, -365);
  const side = (title: string, id: string, g: SideGap) => h("div", { class: "side", "data-testid": id },
    h("h3", {}, title),
    h("dl", { class: "figures compact" },
      figure("On time", `${g.onTime} of ${g.counted}`), figure("Late", g.late), figure("Overdue", g.overdue),
      figure("Broken", g.broken), figure("Open", g.open), figure("On-time rate", rate(g.onTimeRate)),
      figure("Mean delay", days(g.meanDelayDays)), figure("Realized", rate(g.realizationRate))),
    g.items.length ? h("ol", { class: "timeline", "aria-label": `${title}: items` },
      g.items.map((item) => timelineItem(item, from, c.asOf, c.currency))) : h("p", {}, "Nothing promised or expected in the window."));
  return section("The gap: promised or expected, against what happened", "gap-title",
    h("p", { class: "hint" }, "Each line runs over the last 365 days: ",
      h("span", { class: "key-yardstick", "aria-hidden": "true" }, "|"), " the date first given (the yardstick), ",
      h("span", { class: "key-renegotiated", "aria-hidden": "true" }, "◇"), " the date agreed since, ",
      h("span", { class: "key-actual", "aria-hidden": "true" }, "●"), " what happened (today while overdue)."),
    h("div", { class: "columns" },
      side("The client's side", "gap-client", c.gap.client), side("Our side", "gap-vendor", c.gap.vendor)));
}

function timelineItem(item: GapItem, from: string, asOf: string, currency: string): HTMLElement {
  const className = STATUS_CLASS[item.status] ?? "open";
  const actual = item.actualOn ?? (item.status === "OVERDUE" ? asOf : null);
  const delay = item.delayDays === null ? "" : item.delayDays > 0 ? `${item.delayDays} days late` : item.delayDays < 0 ? `${-item.delayDays} days early` : "on the day";
  const label = `${item.id}: expected ${item.expectedOn ?? "with no date"}, ${item.actualOn ? "happened " + item.actualOn : words(item.status)}`;
  return h("li", { class: `item ${className}`, "data-item": item.id },
    h("div", { class: "item-head" },
      h("span", { class: `status ${className}` }, words(item.status)), " ",
      h("strong", {}, item.id), " ", words(item.source), " · ", words(item.kind), " — ", item.description),
    span(from, asOf, { expected: item.expectedOn, current: item.currentDueOn, actual, className, label }),
    h("div", { class: "item-dates" },
      `expected ${item.expectedOn ?? "—"}`,
      item.renegotiations ? h("span", { class: "renegotiated" }, ` · renegotiated ${item.renegotiations}× to ${item.currentDueOn}`) : "",
      item.actualOn ? ` · actual ${item.actualOn}` : "",
      delay ? ` · ${delay}` : "",
      item.expectedAmount ? ` · ${money(item.expectedAmount, currency)} expected, ${money(item.actualAmount ?? "0.00", currency)} realized` : ""));
}

function payments(c: Client): HTMLElement {
  const p = c.payments;
  const aging = [{ label: p.currency, total: money(p.outstanding, p.currency), parts: BUCKETS.map((bucket, n) => ({
    label: bucketLabel(bucket), className: `bucket-${n}`,
    value: Number(p.aging.find((a) => a.bucket === bucket)?.amount ?? "0"),
  })) }];
  return section("Payments", "payments-title",
    h("dl", { class: "figures" },
      figure("Invoiced", money(p.invoiced, p.currency)), figure("Received", money(p.received, p.currency)),
      figure("Outstanding", money(p.outstanding, p.currency), "outstanding"),
      figure("Overdue", money(p.overdue, p.currency), "overdue"),
      figure("Credit", money(p.credit, p.currency)), figure("Written off", money(p.writtenOff, p.currency), "written-off"),
      figure("DSO", days(p.dso), "dso"), figure("Days to pay", days(p.averageDaysToPay)),
      figure("Days beyond terms", days(p.averageDaysBeyondTerms))),
    stackedBars("Outstanding, stacked by how long it is overdue", aging),
    table("Invoices", ["Invoice", "Issued", "Due", "Amount", "Balance", "Status", "Paid", "Beyond terms", "Instalments"],
      p.invoices.map((i) => [
        h("span", { title: i.description ?? "" }, i.id), i.issuedOn, i.dueOn, money(i.amount), money(i.balance),
        h("span", { class: `status ${i.status === "OVERDUE" ? "bad" : i.status === "PAID" ? "ok" : "open"}` }, words(i.status)),
        i.paidOn ?? "—", i.daysBeyondTerms === null ? "—" : `${i.daysBeyondTerms} d`,
        i.instalments.length ? i.instalments.map((s) => `${s.dueOn}: ${money(s.paid)} of ${money(s.amount)}`).join("; ") : "—",
      ]), "numbers"),
    table("Payments received", ["Payment", "Received", "Amount", "Method", "Paid invoices"],
      p.payments.map((x) => [
        x.reversed ? h("s", {}, x.id) : x.id, x.receivedOn, money(x.amount),
        (x.method ?? "—") + (x.reversed ? " (reversed)" : ""),
        x.allocations.map((a) => `${a.invoiceId}: ${money(a.amount)}`).join(", ") || "—",
      ]), "numbers"));
}

function signals(c: Client): HTMLElement {
  return section("Signals", "client-signals-title", c.signals.length
    ? h("ul", { class: "signals" }, c.signals.map((s) => h("li", { class: "signal", "data-signal": s.kind },
      h("h3", {}, words(s.kind), " ", h("span", { class: "since" }, s.since ? `since ${s.since}` : "all year")),
      h("ul", { class: "evidence" }, s.evidence.map((e) => h("li", {}, e))),
      h("p", { class: "recommendation" }, h("strong", {}, "What to do: "), s.recommendation))))
    : h("p", {}, "No signal holds."));
}

function complaints(c: Client): HTMLElement {
  return section("Complaints", "complaints-title", c.complaints.length
    ? table("Complaints of either side", ["Id", "By", "About", "Severity", "Filed", "Resolved", "What"],
      c.complaints.map((k) => [k.id, words(k.raisedBy), words(k.category), words(k.severity), k.filedOn,
        k.resolvedOn ?? (k.open ? "open" : "—"),
        [k.description, k.correction ? ` Correction: ${k.correction}` : "", k.prevention ? ` Prevention: ${k.prevention}` : ""].join("")]))
    : h("p", {}, "No complaints."));
}

function contacts(c: Client): HTMLElement {
  return section("Latest contacts", "contacts-title", c.contacts.length
    ? table("Contacts, the latest last", ["On", "How", "Who", "For", "Answered", "Summary"],
      c.contacts.map((k) => [k.on, words(k.channel), k.direction === "OUTBOUND" ? "we" : "they", words(k.purpose),
        k.answered ? "yes" : "no", k.summary]))
    : h("p", {}, "No contacts logged."));
}

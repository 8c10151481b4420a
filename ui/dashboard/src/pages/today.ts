// Today: the collector's list. Clients with an overdue balance whom the contact protocol
// lets us contact today; those to leave alone, and why (cap reached, a payment promise
// pending, only disputed balances); and deals that need touching ground.
import { query } from "../graphql";
import { CONTACT_ALLOWED, TODAY } from "../queries";
import type { ContactPolicy, PageInfo, SignalKind } from "../types";
import { h, section, table } from "../dom";
import { money, score, words } from "../format";
import { datePicker, learnToday } from "./controls";
import { go, href, type Route } from "../route";

interface Row {
  ref: string; name: string; currency: string; asOf: string;
  trust: { score: number | null; band: string | null };
  payments: { outstanding: string; overdue: string };
  signals: { kind: SignalKind; evidence: string[]; recommendation: string }[];
}
interface Answer { clients: { pageInfo: PageInfo; edges: { node: Row }[] } }

const PIPELINE: SignalKind[] = ["TOUCH_GROUND", "ILLUSORY_PIPELINE"];

function owes(amount: string): boolean {
  return /[1-9]/.test(amount);
}

export async function renderToday(into: HTMLElement, route: Route): Promise<void> {
  const on = route.params.get("on");
  const rows: Row[] = [];
  let after: string | null = null;
  do {
    const answer: Answer = await query<Answer>(TODAY, { on, after });
    rows.push(...answer.clients.edges.map((e) => e.node));
    after = answer.clients.pageInfo.hasNextPage ? answer.clients.pageInfo.endCursor : null;
  } while (after);
  const owing = rows.filter((r) => owes(r.payments.outstanding));
  const policies = await Promise.all(owing.map((r) =>
    query<{ contactAllowed: ContactPolicy }>(CONTACT_ALLOWED, { ref: r.ref, on }).then((a) => a.contactAllowed)));
  const chase: [Row, ContactPolicy][] = [], leave: [Row, ContactPolicy][] = [];
  owing.forEach((row, n) => {
    const policy = policies[n];
    if (policy.allowed && owes(row.payments.overdue)) chase.push([row, policy]);
    else if (!policy.allowed) leave.push([row, policy]);
  });
  const day = on ?? rows[0]?.asOf ?? "";
  if (!on && day) learnToday(day);
  const deals = rows.flatMap((r) => r.signals.filter((s) => PIPELINE.includes(s.kind)).map((s) => [r, s] as const));
  const link = (r: Row) => h("a", { href: href("client", r.ref, { asOf: on }), "data-ref": r.ref }, r.name);

  into.append(
    h("div", { class: "page-head" },
      h("h1", {}, "Today ", h("span", { class: "as-of" }, day)),
      datePicker("Day", day, (picked) => go("today", null, { on: picked }))),
    section("Chase today", "chase-title",
      h("p", { class: "hint" }, "Overdue balances, and the contact protocol allows a collection contact today."),
      chase.length ? table("Clients to contact today, the most overdue first", ["Client", "Overdue", "Outstanding", "Score", "Contacts used"],
        chase.sort((a, b) => Number(b[0].payments.overdue) - Number(a[0].payments.overdue))
          .map(([r, p]) => [link(r), money(r.payments.overdue, r.currency), money(r.payments.outstanding, r.currency),
            score(r.trust.score), `${p.used} of ${p.cap} this week`]), "numbers chase")
        : h("p", {}, "Nobody to chase today.")),
    section("Leave alone", "leave-title",
      h("p", { class: "hint" }, "Money is owed, but the protocol says not now."),
      leave.length ? table("Clients not to contact today, and why", ["Client", "Overdue", "Outstanding", "Why not", "Next allowed"],
        leave.map(([r, p]) => [link(r), money(r.payments.overdue, r.currency), money(r.payments.outstanding, r.currency),
          p.reason.replace(/^not now: /, ""), p.nextAllowedOn ?? "after an event"]), "numbers leave")
        : h("p", {}, "Nobody to leave alone.")),
    section("Deals that need touching ground", "deals-title",
      h("p", { class: "hint" }, "Purchase forecasts with no recent contact, or overdue: are they real?"),
      deals.length ? h("ul", { class: "signals deals" }, deals.map(([r, s]) => h("li", { class: "signal", "data-ref": r.ref },
        h("h3", {}, link(r), " — ", words(s.kind)),
        h("ul", { class: "evidence" }, s.evidence.map((e) => h("li", {}, e))),
        h("p", { class: "recommendation" }, h("strong", {}, "What to do: "), s.recommendation))))
        : h("p", {}, "No deal needs it.")),
  );
}

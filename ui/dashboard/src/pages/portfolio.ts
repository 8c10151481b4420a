// Portfolio: band counts, money owed and its aging per currency, signal counts, and the
// clients table (sorting, filters, keyset paging), all as of a chosen date.
import { query } from "../graphql";
import { CLIENTS, PORTFOLIO } from "../queries";
import { BANDS, BUCKETS, SIGNALS, type ClientPage, type Portfolio } from "../types";
import { figure, h, section, table } from "../dom";
import { bucketLabel, money, score, words } from "../format";
import { stackedBars } from "../charts";
import { datePicker, enumSelect, learnToday } from "./controls";
import { go, href, type Route } from "../route";

const PAGE_SIZE = 10;
const ORDERS: Record<string, { label: string; order: string }> = {
  name: { label: "by name", order: "NAME_ASC" },
  score: { label: "by trust score, lowest first", order: "SCORE_ASC" },
  scoreDesc: { label: "by trust score, highest first", order: "SCORE_DESC" },
  outstanding: { label: "by money outstanding, most first", order: "OUTSTANDING_DESC" },
};
/** the cursors of the pages before this one, to go back (keyset paging only goes on) */
let trail: string[] = [];
let trailKey = "";

export async function renderPortfolio(into: HTMLElement, route: Route): Promise<void> {
  const p = route.params;
  const asOf = p.get("asOf");
  const filters = { band: p.get("band"), signal: p.get("signal"), state: p.get("state") };
  const order = p.get("order") ?? "score";
  const after = p.get("after");
  const key = JSON.stringify([asOf, filters, order]);
  if (key !== trailKey || !after) { trail = []; trailKey = key; }
  const [{ portfolio }, { clients }] = await Promise.all([
    query<{ portfolio: Portfolio }>(PORTFOLIO, { asOf }),
    query<{ clients: ClientPage }>(CLIENTS, {
      asOf, first: PAGE_SIZE, after, orderBy: ORDERS[order]?.order ?? "SCORE_ASC", ...filters,
    }),
  ]);
  if (!asOf) learnToday(portfolio.asOf);
  const params = { asOf, ...filters, order };
  const goWith = (change: Record<string, string | null>) => go("portfolio", null, { ...params, after: null, ...change });

  into.append(
    h("div", { class: "page-head" },
      h("h1", {}, "Portfolio ", h("span", { class: "as-of" }, `as of ${portfolio.asOf}`)),
      datePicker("As of", portfolio.asOf, (day) => goWith({ asOf: day }))),
    bands(portfolio),
    h("div", { class: "columns" }, money_(portfolio), signals(portfolio, params)),
    clientsTable(clients, portfolio.asOf, { ...params, after }, goWith),
  );
}

function bands(portfolio: Portfolio): HTMLElement {
  return section("Trust bands", "bands-title",
    h("dl", { class: "figures bands" },
      figure("Clients", portfolio.clients, "clients-count"),
      BANDS.map((band) => figure(words(band), portfolio.byBand.find((b) => b.band === band)?.count ?? 0, `band-${band}`)),
      figure("Unscored", portfolio.unscored, "band-UNSCORED")));
}

function money_(portfolio: Portfolio): HTMLElement {
  const rows = portfolio.totals.map((t) => ({
    label: t.currency, total: money(t.outstanding, t.currency),
    parts: BUCKETS.map((bucket, n) => ({
      label: bucketLabel(bucket), className: `bucket-${n}`,
      value: Number(t.aging.find((a) => a.bucket === bucket)?.amount ?? "0"),
    })),
  }));
  return section("Money owed", "money-title",
    table("Outstanding and overdue, per currency", ["Currency", "Outstanding", "Overdue"],
      portfolio.totals.map((t) => [t.currency,
        h("span", { "data-testid": `outstanding-${t.currency}` }, money(t.outstanding)),
        h("span", { "data-testid": `overdue-${t.currency}` }, money(t.overdue))]), "numbers"),
    h("h3", {}, "Aging per currency"),
    stackedBars("Outstanding per currency, stacked by how long it is overdue", rows));
}

function signals(portfolio: Portfolio, params: Record<string, string | null>): HTMLElement {
  return section("Signals", "signals-title",
    h("ul", { class: "signal-counts" }, portfolio.signals.map((s) => h("li", {},
      h("a", { href: href("portfolio", null, { ...params, signal: s.kind }), "data-testid": `signal-${s.kind}` },
        h("span", { class: "count" }, s.count), " ", words(s.kind))))));
}

function clientsTable(page: ClientPage, asOf: string, params: Record<string, string | null>,
                      goWith: (change: Record<string, string | null>) => void): HTMLElement {
  /** a header cell that sorts the table by it (again: the other way, where there is one) */
  const sortHeader = (names: string[], label: string) => {
    const active = names.indexOf(params.order ?? "score");
    const next = names[(active + 1) % names.length];
    const state = active === -1 ? "none" : names[active] === "scoreDesc" || names[active] === "outstanding" ? "descending" : "ascending";
    return h("th", { scope: "col", "aria-sort": state },
      h("button", { type: "button", class: "sort", "data-sort": names[0],
                    onclick: () => goWith({ order: active === -1 ? names[0] : next }) },
        label, h("span", { "aria-hidden": "true" }, state === "ascending" ? " ▲" : state === "descending" ? " ▼" : " ⇅")));
  };
  const first = trail.length * PAGE_SIZE + 1;
  const last = first + page.edges.length - 1;
  const rows = page.edges.map(({ node }) => [
    h("a", { href: href("client", node.ref, { asOf: params.asOf }), "data-ref": node.ref }, node.name),
    score(node.trust.score),
    node.trust.band ? words(node.trust.band) : "unscored",
    money(node.payments.outstanding, node.currency),
    money(node.payments.overdue, node.currency),
    money(node.payments.writtenOff, node.currency),
    node.signals.map((s) => words(s.kind)).join(", ") || "—",
  ]);
  const pager = h("nav", { class: "pager", "aria-label": "Pages of clients" },
    h("span", { "data-testid": "page-range" }, page.edges.length ? `${first}–${last} of ${page.totalCount}` : `0 of ${page.totalCount}`),
    h("button", { type: "button", disabled: trail.length === 0, onclick: () => {
      const back = trail.pop();
      go("portfolio", null, { ...params, after: back || null });
    } }, "Previous page"),
    h("button", { type: "button", disabled: !page.pageInfo.hasNextPage, onclick: () => {
      trail.push(params.after ?? "");
      go("portfolio", null, { ...params, after: page.pageInfo.endCursor });
    } }, "Next page"));
  return section(`Clients as of ${asOf}`, "clients-title",
    h("form", { class: "filters", "aria-label": "Filters", onsubmit: (e: Event) => e.preventDefault() },
      enumSelect("Band", "band", BANDS, params.band, (band) => goWith({ band })),
      enumSelect("Signal", "signal", SIGNALS, params.signal, (signal) => goWith({ signal })),
      enumSelect("State", "state", ["ACTIVE", "ENDED"], params.state, (state) => goWith({ state }))),
    h("div", { class: "scroll" }, h("table", { class: "clients", "data-testid": "clients" },
      h("caption", {}, `Clients ${ORDERS[params.order ?? "score"]?.label ?? ""}`),
      h("thead", {}, h("tr", {},
        sortHeader(["name"], "Client"),
        sortHeader(["score", "scoreDesc"], "Score"),
        h("th", { scope: "col" }, "Band"),
        sortHeader(["outstanding"], "Outstanding"),
        h("th", { scope: "col" }, "Overdue"),
        h("th", { scope: "col" }, "Written off"),
        h("th", { scope: "col" }, "Signals"))),
      h("tbody", {}, rows.map((row) => h("tr", {}, row.map((cell) => h("td", {}, cell))))))),
    pager);
}

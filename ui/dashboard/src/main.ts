// The dashboard's shell: hash routes to the four pages, the API key form, plain errors.
import "./style.css";
import { ApiError, apiKey, setApiKey } from "./graphql";
import { h } from "./dom";
import { renderPortfolio } from "./pages/portfolio";
import { renderClient } from "./pages/client";
import { renderAuditor } from "./pages/auditor";
import { renderToday } from "./pages/today";
import type { Route, Page } from "./route";
import { parseRoute } from "./route";

const PAGES: Record<string, Page> = {
  portfolio: renderPortfolio,
  client: renderClient,
  auditor: renderAuditor,
  today: renderToday,
};

const main = document.getElementById("main") as HTMLElement;
let stop: (() => void) | void;
let shown = 0;

function keySlot(): void {
  const slot = document.getElementById("key-slot") as HTMLElement;
  slot.replaceChildren(apiKey()
    ? h("button", { type: "button", class: "link", onclick: () => { setApiKey(null); void show(); } }, "Forget the API key")
    : "");
}

function keyForm(message: string): HTMLElement {
  const input = h("input", { id: "api-key", type: "password", autocomplete: "off", required: true }) as HTMLInputElement;
  return h("form", {
    class: "card key-form", "aria-labelledby": "key-title",
    onsubmit: (event: Event) => { event.preventDefault(); setApiKey(input.value.trim()); void show(); },
  },
  h("h1", { id: "key-title" }, "API key"),
  h("p", {}, message),
  h("p", {}, "The key is kept in this browser tab's session only, and sent to this server alone."),
  h("label", { for: "api-key" }, "Key"), input,
  h("button", { type: "submit" }, "Use this key"));
}

async function show(): Promise<void> {
  const route: Route = parseRoute(location.hash);
  const current = ++shown;
  if (typeof stop === "function") stop();
  stop = undefined;
  keySlot();
  for (const link of document.querySelectorAll<HTMLAnchorElement>("nav a")) {
    if (link.dataset.page === route.page) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  main.setAttribute("aria-busy", "true");
  try {
    const page = PAGES[route.page] ?? renderPortfolio;
    const content = h("div", { class: "page" });
    const cleanup = await page(content, route);
    if (current !== shown) { if (typeof cleanup === "function") cleanup(); return; }
    stop = cleanup;
    main.replaceChildren(content);
  } catch (error) {
    if (current !== shown) return;
    main.replaceChildren(failure(error));
  } finally {
    if (current === shown) main.setAttribute("aria-busy", "false");
  }
}

export function failure(error: unknown): HTMLElement {
  if (error instanceof ApiError && (error.code === "UNAUTHENTICATED" || error.code === "FORBIDDEN")) {
    return keyForm(error.code === "FORBIDDEN"
      ? "This key may not read these figures: enter another."
      : "This server needs an API key (a reader's is enough; the Auditor page needs an auditor's).");
  }
  const message = error instanceof Error ? error.message : String(error);
  return h("p", { class: "card error", role: "alert" }, message);
}

window.addEventListener("hashchange", () => void show());
void show();

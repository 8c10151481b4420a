// Where the dashboard is: "#/client/demo-tallis?asOf=2026-10-01".

export interface Route {
  page: string;
  arg: string | null;
  params: URLSearchParams;
}

/** A page draws itself into `into`; it may return what stops its live parts. */
export type Page = (into: HTMLElement, route: Route) => Promise<(() => void) | void>;

export function parseRoute(hash: string): Route {
  const [path, search = ""] = hash.replace(/^#\/?/, "").split("?");
  const [page = "portfolio", arg = null] = path.split("/").map(decodeURIComponent);
  return { page: page || "portfolio", arg: arg || null, params: new URLSearchParams(search) };
}

/** The address of a page, the empty parameters left out. */
export function href(page: string, arg: string | null, params: Record<string, string | null | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value) search.set(name, value);
  const query = search.toString();
  return `#/${page}${arg ? "/" + encodeURIComponent(arg) : ""}${query ? "?" + query : ""}`;
}

export function go(page: string, arg: string | null, params: Record<string, string | null | undefined> = {}): void {
  location.hash = href(page, arg, params);
}

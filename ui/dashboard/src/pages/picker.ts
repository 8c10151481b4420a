// The list of clients to choose from, for the Client and Auditor pages opened without one.
import { query } from "../graphql";
import { CLIENT_PICKER } from "../queries";
import { h, section } from "../dom";
import { href } from "../route";
import type { PageInfo } from "../types";

interface Picker { clients: { pageInfo: PageInfo; edges: { node: { ref: string; name: string } }[] } }

export async function clientPicker(page: string, title: string): Promise<HTMLElement> {
  const found: { ref: string; name: string }[] = [];
  let after: string | null = null;
  do {
    const { clients }: Picker = await query<Picker>(CLIENT_PICKER, { after });
    found.push(...clients.edges.map((e) => e.node));
    after = clients.pageInfo.hasNextPage ? clients.pageInfo.endCursor : null;
  } while (after);
  return section(title, "picker-title",
    h("ul", { class: "picker" }, found.map((c) =>
      h("li", {}, h("a", { href: href(page, c.ref) }, c.name), " ", h("code", {}, c.ref)))));
}

// A few lines instead of a framework: build elements, and SVG for the charts.

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>;

function fill(node: Element, attributes: Attributes, children: Child[]): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
}

/** An HTML element: h("td", {class: "num"}, "12"); `on…` attributes add listeners. */
export function h(tag: string, attributes: Attributes = {}, ...children: (Child | Child[])[]): HTMLElement {
  const node = document.createElement(tag);
  fill(node, attributes, children.flat());
  return node;
}

/** An SVG element. */
export function s(tag: string, attributes: Attributes = {}, ...children: (Child | Child[])[]): SVGElement {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  fill(node, attributes, children.flat());
  return node;
}

/** A table with a caption, its header cells and its rows. */
export function table(caption: string, head: (string | Node)[], rows: Child[][], className = ""): HTMLElement {
  return h("div", { class: "scroll" },
    h("table", { class: className },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, head.map((cell) => h("th", { scope: "col" }, cell)))),
      h("tbody", {}, rows.map((row) => h("tr", {}, row.map((cell) => h("td", {}, cell)))))));
}

/** A labelled figure of a summary line: "Outstanding  1,250.00 EUR". */
export function figure(label: string, value: Child, testid?: string): HTMLElement {
  return h("div", { class: "figure" },
    h("dt", {}, label), h("dd", { "data-testid": testid }, value ?? "—"));
}

export function section(title: string, id: string, ...children: (Child | Child[])[]): HTMLElement {
  return h("section", { "aria-labelledby": id, class: "card" }, h("h2", { id }, title), ...children);
}

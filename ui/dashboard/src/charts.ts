// The charts, as small SVGs: each names what it shows (role="img" and a label), and the
// numbers they draw are also written beside them, so none needs colour to be read.
import { h, s } from "./dom";

export interface Part { label: string; value: number; className: string }
export interface StackedRow { label: string; parts: Part[]; total: string }

/** Horizontal stacked bars, one per row, on a common scale, with a legend of the parts. */
export function stackedBars(title: string, rows: StackedRow[]): HTMLElement {
  const width = 600, rowHeight = 34, labelWidth = 70, totalWidth = 140;
  const barWidth = width - labelWidth - totalWidth;
  const most = Math.max(1, ...rows.map((r) => r.parts.reduce((sum, p) => sum + p.value, 0)));
  const svg = s("svg", {
    viewBox: `0 0 ${width} ${rows.length * rowHeight + 4}`, role: "img", "aria-label": title,
    class: "chart",
  });
  rows.forEach((row, n) => {
    const y = n * rowHeight + 4;
    svg.append(s("text", { x: 0, y: y + 19, class: "chart-label" }, row.label));
    let x = labelWidth;
    for (const part of row.parts) {
      const w = (part.value / most) * barWidth;
      if (w <= 0) continue;
      svg.append(s("rect", { x, y, width: w, height: rowHeight - 10, class: part.className },
        s("title", {}, `${row.label} ${part.label}: ${part.value.toFixed(2)}`)));
      x += w;
    }
    svg.append(s("text", { x: x + 6, y: y + 19, class: "chart-value" }, row.total));
  });
  const names = rows[0]?.parts ?? [];
  const legend = h("ul", { class: "legend", "aria-label": "Legend" },
    names.map((p) => h("li", {}, h("span", { class: `swatch ${p.className}`, "aria-hidden": "true" }), p.label)));
  return h("figure", { class: "chart-box" }, svg, legend);
}

export interface ValueRow { label: string; value: number | null; detail: string; className: string }

/** One labelled bar per row on a 0–100 scale: the label, the bar, the value and a detail
 * line stand together, so it reads without a legend. */
export function valueBars(title: string, rows: ValueRow[]): HTMLElement {
  return h("ul", { class: "value-bars", "aria-label": title },
    rows.map((row) => h("li", {},
      h("span", { class: "vb-label" }, row.label),
      h("span", { class: "vb-track", "aria-hidden": "true" },
        h("span", { class: `vb-bar ${row.className}`, style: `width: ${row.value ?? 0}%` })),
      h("span", { class: "vb-value" }, row.value === null ? "not measured" : row.value.toFixed(1)),
      h("span", { class: "vb-detail" }, row.detail))));
}

const DAY = 86_400_000;

function time(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

export interface Span {
  expected: string | null;   // the yardstick: the date first given
  current: string | null;    // the date now in force (after renegotiations)
  actual: string | null;     // what happened (or asOf while overdue)
  className: string;
  label: string;
}

/** A strip on the window's scale: the yardstick (|), the renegotiated date (◇) and what
 * happened (●), joined by a line as long as the delay. */
export function span(from: string, to: string, item: Span): SVGElement {
  const start = time(from), end = Math.max(time(to), start + DAY);
  const x = (day: string) => 4 + ((time(day) - start) / (end - start)) * 292;
  const svg = s("svg", { viewBox: "0 0 300 16", class: "span", role: "img", "aria-label": item.label });
  svg.append(s("line", { x1: 4, x2: 296, y1: 8, y2: 8, class: "span-axis" }));
  if (item.expected && item.actual) {
    const [a, b] = [x(item.expected), x(item.actual)].sort((p, q) => p - q);
    svg.append(s("line", { x1: a, x2: b, y1: 8, y2: 8, class: `span-delay ${item.className}` }));
  }
  if (item.expected) svg.append(s("rect", { x: x(item.expected) - 1.5, y: 1, width: 3, height: 14, class: "span-yardstick" }));
  if (item.current && item.current !== item.expected) {
    const c = x(item.current);
    svg.append(s("path", { d: `M${c} 3 L${c + 5} 8 L${c} 13 L${c - 5} 8 Z`, class: "span-renegotiated" }));
  }
  if (item.actual) svg.append(s("circle", { cx: x(item.actual), cy: 8, r: 4.5, class: `span-actual ${item.className}` }));
  return svg;
}

export function daysBetween(a: string, b: string): number {
  return Math.round((time(b) - time(a)) / DAY);
}

export function shiftDay(day: string, by: number): string {
  return new Date(time(day) + by * DAY).toISOString().slice(0, 10);
}

// Form controls the pages share: a date picker for asOf, and labelled selects.
import { h } from "../dom";
import { words } from "../format";

let serial = 0;
/** the server's today, as the first answer without a date said (the pickers' latest day) */
let today: string | null = null;

export function learnToday(day: string): void {
  today = day;
}

/** A labelled date input; `onPick` gets the chosen day (or null when cleared). */
export function datePicker(label: string, value: string, onPick: (day: string | null) => void): HTMLElement {
  const id = `date-${++serial}`;
  const input = h("input", { id, type: "date", value, max: today, name: "asOf" }) as HTMLInputElement;
  input.addEventListener("change", () => onPick(input.value || null));
  return h("div", { class: "control" }, h("label", { for: id }, label), input);
}

/** A labelled select of enum values, "any" first. */
export function enumSelect(label: string, name: string, values: readonly string[], value: string | null,
                           onPick: (value: string | null) => void): HTMLElement {
  const id = `select-${name}`;
  const select = h("select", { id, name },
    h("option", { value: "" }, "any"),
    values.map((v) => h("option", { value: v, selected: v === value }, words(v)))) as HTMLSelectElement;
  select.addEventListener("change", () => onPick(select.value || null));
  return h("div", { class: "control" }, h("label", { for: id }, label), select);
}

// How values are shown. Amounts stay the exact decimal strings the API sends: they are
// only grouped for reading, never computed with floats.

export function money(amount: string | null | undefined, currency = ""): string {
  if (amount === null || amount === undefined) return "—";
  const [whole, cents] = amount.split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const digits = whole.replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${digits}${cents !== undefined ? "." + cents : ""}${currency ? " " + currency : ""}`;
}

export function score(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : value.toFixed(1);
}

export function rate(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${Math.round(value * 100)}%`;
}

export function days(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${value.toFixed(1)} d`;
}

/** ENUM_NAME → "enum name". */
export function words(value: string | null | undefined): string {
  return value ? value.toLowerCase().replace(/_/g, " ") : "—";
}

export function bucketLabel(bucket: string): string {
  return { CURRENT: "not yet due", DAYS_1_30: "1–30 days", DAYS_31_60: "31–60 days",
           DAYS_61_90: "61–90 days", DAYS_90_PLUS: "over 90 days" }[bucket] ?? bucket;
}

/** A UTC timestamp as "2026-11-22 17:00:00 UTC". */
export function moment(value: string): string {
  return value.replace("T", " ").replace(/(\.\d+)?\+00:00$/, " UTC");
}

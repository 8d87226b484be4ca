// Text made safe to put in HTML (element content and quoted attribute values).

/** `text` with &, <, >, " and ' escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A number for people: up to `digits` significant digits, "–" for null. */
export function formatNumber(x: number | null, digits = 4): string {
  if (x === null) return "–";
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(digits)));
}

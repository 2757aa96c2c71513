/**
 * How times and durations read on every page.
 * @module
 */
import { h } from "./dom";

/** A time in ms as the browser's locale writes it; "—" for none. */
export function formatTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "—" : new Date(ms).toLocaleString();
}

/** How long ago a time in ms was: "5s ago", "3m ago", "2h ago", then the date. */
export function ago(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return s + "s ago";
  if (s < 3600) return Math.floor(s / 60) + "m ago";
  if (s < 86400) return Math.floor(s / 3600) + "h ago";
  return new Date(ms).toLocaleDateString();
}

/** The one duration format of every page: "840 ms", "2.35 s", "1 m 5 s", "2 h 0 m 12 s". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || ms < 0) return "—";
  if (ms < 1000) return Math.round(ms) + " ms";
  if (ms < 60000) return (Math.floor(ms / 10) / 100).toFixed(2) + " s";
  // Whole seconds first, so 119.7 s reads "2 m 0 s", never "1 m 60 s".
  const s = Math.round(ms / 1000);
  const hours = Math.floor(s / 3600);
  return (hours ? hours + " h " : "") + Math.floor((s % 3600) / 60) + " m " + (s % 60) + " s";
}

/** A time as "… ago", with the full time on hover. */
export function timeCell(ms: number | null | undefined): HTMLSpanElement {
  return h("span", { title: formatTime(ms) }, ago(ms));
}

/**
 * The metrics pages: `/metrics` (every function, with a table per function) and
 * `/metrics/:functionId` (one function). Charts of runs started, completed and failed over time,
 * event → start latency, step duration and backlog, above a table of the window's totals.
 * @module
 */
import { api } from "./api";
import type { DataBody, FunctionTotals, MetricsBody, MetricsBucket } from "./api-types";
import { chart, loadUplot } from "./charts";
import { append, fill, h, link, loading } from "./dom";
import { duration, formatTime } from "./format";
import { go } from "./router";

const METRIC_WINDOWS = [
  ["1", "1 hour"],
  ["6", "6 hours"],
  ["24", "24 hours"],
  ["168", "7 days"],
] as const;

/** The bucket fields that count things. */
type CountKey = "started" | "completed" | "failed" | "cancelled" | "steps" | "backlog";
/** The bucket fields that are a per-bucket mean or maximum (null where nothing was measured). */
type MeasureKey = "latency_avg_ms" | "latency_max_ms" | "step_avg_ms" | "step_max_ms";

const sum = (buckets: MetricsBucket[], key: CountKey) => buckets.reduce((n, b) => n + b[key], 0);

/** The mean of a per-bucket average, weighted by how many values each bucket had. */
function weightedAvg(buckets: MetricsBucket[], avgKey: MeasureKey, countKey: CountKey = "started"): number | null {
  let total = 0;
  let count = 0;
  for (const b of buckets) {
    const avg = b[avgKey];
    if (avg === null) continue;
    const n = b[countKey];
    total += avg * n;
    count += n;
  }
  return count === 0 ? null : total / count;
}

function totalsTable(buckets: MetricsBucket[]): HTMLTableElement {
  const latency = weightedAvg(buckets, "latency_avg_ms");
  const step = weightedAvg(buckets, "step_avg_ms", "steps");
  const rows = [
    ["started", "Runs started", String(sum(buckets, "started"))],
    ["completed", "Runs completed", String(sum(buckets, "completed"))],
    ["failed", "Runs failed", String(sum(buckets, "failed"))],
    ["cancelled", "Runs cancelled", String(sum(buckets, "cancelled"))],
    ["latency", "Event → start latency (mean)", latency === null ? "—" : duration(latency)],
    ["steps", "Steps ended", String(sum(buckets, "steps"))],
    ["step-duration", "Step duration (mean)", step === null ? "—" : duration(step)],
    ["backlog", "Backlog now", String(buckets.length ? buckets[buckets.length - 1]!.backlog : 0)],
  ];
  return h(
    "table",
    { class: "metrics-totals" },
    h(
      "tbody",
      null,
      rows.map(([key, label, value]) => h("tr", { "data-metric": key }, h("th", null, label), h("td", { class: "mono" }, value))),
    ),
  );
}

function functionsTable(functions: FunctionTotals[], hours: string): HTMLElement {
  if (!functions.length) return h("div", { class: "muted" }, "No runs in this window.");
  return h(
    "table",
    null,
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        ["Function", "Started", "Completed", "Failed", "Cancelled"].map((t) => h("th", null, t)),
      ),
    ),
    h(
      "tbody",
      null,
      functions.map((f) =>
        h(
          "tr",
          { "data-function": f.function_id },
          h("td", null, link("/metrics/" + encodeURIComponent(f.function_id) + "?hours=" + hours, f.name || f.function_id)),
          h("td", null, String(f.started)),
          h("td", null, String(f.completed)),
          h("td", null, String(f.failed)),
          h("td", null, String(f.cancelled)),
        ),
      ),
    ),
  );
}

/** Renders a metrics page. */
export async function renderMetrics(main: HTMLElement, match: RegExpExecArray): Promise<null> {
  const functionId = match[1] ? decodeURIComponent(match[1]) : null;
  const hours = new URLSearchParams(location.search).get("hours") || "24";
  const select: HTMLSelectElement = h(
    "select",
    { "aria-label": "Window", onchange: () => go(location.pathname + "?hours=" + select.value) },
    METRIC_WINDOWS.map(([v, label]) => h("option", { value: v, selected: v === hours }, label)),
  );
  const body = h("div", null, loading("Loading metrics…"));
  append(main, [
    functionId ? h("div", { class: "small" }, link("/metrics", "← All functions")) : null,
    h(
      "div",
      { class: "toolbar" },
      h("h1", { class: "grow" }, functionId ? "Metrics · " + functionId : "Metrics"),
      functionId ? link("/runs?function_id=" + encodeURIComponent(functionId), "Runs") : null,
      select,
    ),
    body,
  ]);
  const query = "?hours=" + encodeURIComponent(hours) + (functionId ? "&function_id=" + encodeURIComponent(functionId) : "");
  const [UPlot, { data }] = await Promise.all([loadUplot(), api<DataBody<MetricsBody>>("/v0/metrics" + query)]);
  const b = data.buckets;
  const xs = b.map((x) => (x.at + data.bucket_ms) / 1000);
  const col = (key: CountKey | MeasureKey) => b.map((x) => x[key]);
  fill(
    body,
    h(
      "div",
      { class: "panel" },
      h("div", { class: "muted small" }, "From " + formatTime(data.from) + " to " + formatTime(data.to) + ", in steps of " + duration(data.bucket_ms) + "."),
      totalsTable(b),
    ),
    h(
      "div",
      { class: "charts" },
      chart(UPlot, "Runs", xs, [
        { label: "started", color: "#2563eb", values: col("started") },
        { label: "completed", color: "#15803d", values: col("completed") },
        { label: "failed", color: "#dc2626", values: col("failed") },
      ]),
      chart(
        UPlot,
        "Event → start latency",
        xs,
        [
          { label: "mean", color: "#4f46e5", values: col("latency_avg_ms") },
          { label: "max", color: "#a5b4fc", values: col("latency_max_ms") },
        ],
        "ms",
      ),
      chart(
        UPlot,
        "Step duration",
        xs,
        [
          { label: "mean", color: "#0d9488", values: col("step_avg_ms") },
          { label: "max", color: "#99f6e4", values: col("step_max_ms") },
        ],
        "ms",
      ),
      chart(UPlot, "Backlog", xs, [{ label: "queued, not started", color: "#b7791f", values: col("backlog") }]),
    ),
    data.functions ? [h("h2", null, "By function"), h("div", { class: "panel" }, functionsTable(data.functions, hours))] : null,
  );
  return null;
}

/**
 * Browser code for the metrics pages: `/metrics` (every function, with a table per function) and
 * `/metrics/:functionId` (one function). Charts of runs started, completed and failed over time,
 * event → start latency, step duration and backlog, drawn with uPlot (served by the Worker at
 * `/_dashboard/uplot.js` and loaded on the first visit), above a table of the window's totals.
 * @module
 */

/** Registers the metrics pages. */
export const METRICS_PAGE_JS = String.raw`
const METRIC_WINDOWS = [["1", "1 hour"], ["6", "6 hours"], ["24", "24 hours"], ["168", "7 days"]];
let uplotLoading = null;

/**
 * uPlot formats numbers for navigator.language, which a browser on a POSIX locale reports as a
 * tag Intl refuses ("en-US@posix"); the library would then fail to load. Such a browser gets
 * the language without its "@" part.
 */
function usableLanguage() {
  try {
    new Intl.NumberFormat(navigator.language);
  } catch {
    const language = String(navigator.language).split("@")[0] || "en-US";
    Object.defineProperty(navigator, "language", { get: () => language, configurable: true });
  }
}

/** Loads the charting library once. */
function loadUplot() {
  if (window.uPlot) return Promise.resolve(window.uPlot);
  usableLanguage();
  uplotLoading = uplotLoading || new Promise((resolve, reject) => {
    const script = h("script", { src: "/_dashboard/uplot.js" });
    script.onload = () => resolve(window.uPlot);
    script.onerror = () => { uplotLoading = null; reject(new Error("the charting library did not load")); };
    document.head.appendChild(script);
  });
  return uplotLoading;
}

const sum = (buckets, key) => buckets.reduce((n, b) => n + b[key], 0);

/** The mean of a per-bucket average, weighted by how many values each bucket had. */
function weightedAvg(buckets, avgKey, countKey) {
  let total = 0;
  let count = 0;
  for (const b of buckets) {
    if (b[avgKey] === null) continue;
    const n = countKey ? b[countKey] : b.started;
    total += b[avgKey] * n;
    count += n;
  }
  return count === 0 ? null : total / count;
}

function chart(uPlot, title, xs, series, unit) {
  const holder = h("div", { class: "chart", "data-chart": title });
  const box = h("div", { class: "panel" }, h("h2", { style: "margin-top:0" }, title), holder);
  const opts = {
    width: 540,
    height: 200,
    series: [{}].concat(series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: true, size: 4 },
      value: (u, v) => v === null || v === undefined ? "—" : unit === "ms" ? duration(v) : String(v) }))),
    axes: [{}, { values: (u, ticks) => ticks.map((v) => unit === "ms" ? duration(v) : String(v)), size: 60 }],
    scales: { y: { range: (u, min, max) => [0, Math.max(max, 1)] } },
  };
  // Drawn once the element is in the page, so uPlot can measure it.
  requestAnimationFrame(() => {
    opts.width = Math.max(300, holder.clientWidth || 540);
    new uPlot(opts, [xs].concat(series.map((s) => s.values)), holder);
  });
  return box;
}

function totalsTable(buckets) {
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
    ["backlog", "Backlog now", String(buckets.length ? buckets[buckets.length - 1].backlog : 0)],
  ];
  return h("table", { class: "metrics-totals" }, h("tbody", null, rows.map(([key, label, value]) =>
    h("tr", { "data-metric": key }, h("th", null, label), h("td", { class: "mono" }, value)))));
}

function functionsTable(functions, hours) {
  if (!functions.length) return h("div", { class: "muted" }, "No runs in this window.");
  return h("table", null,
    h("thead", null, h("tr", null, ["Function", "Started", "Completed", "Failed", "Cancelled"].map((t) => h("th", null, t)))),
    h("tbody", null, functions.map((f) => h("tr", { "data-function": f.function_id },
      h("td", null, link("/metrics/" + encodeURIComponent(f.function_id) + "?hours=" + hours, f.name || f.function_id)),
      h("td", null, String(f.started)), h("td", null, String(f.completed)), h("td", null, String(f.failed)), h("td", null, String(f.cancelled))))));
}

async function renderMetrics(main, match) {
  const functionId = match[1] ? decodeURIComponent(match[1]) : null;
  const hours = new URLSearchParams(location.search).get("hours") || "24";
  const select = h("select", { "aria-label": "Window", onchange: () => go(location.pathname + "?hours=" + select.value) },
    METRIC_WINDOWS.map(([v, label]) => h("option", { value: v, selected: v === hours }, label)));
  const body = h("div", null, loading("Loading metrics…"));
  append(main, [
    functionId ? h("div", { class: "small" }, link("/metrics", "← All functions")) : null,
    h("div", { class: "toolbar" }, h("h1", { class: "grow" }, functionId ? "Metrics · " + functionId : "Metrics"),
      functionId ? link("/runs?function_id=" + encodeURIComponent(functionId), "Runs") : null, select),
    body,
  ]);
  const query = "?hours=" + encodeURIComponent(hours) + (functionId ? "&function_id=" + encodeURIComponent(functionId) : "");
  const [uPlot, { data }] = await Promise.all([loadUplot(), api("/v0/metrics" + query)]);
  const b = data.buckets;
  const xs = b.map((x) => (x.at + data.bucket_ms) / 1000);
  const col = (key) => b.map((x) => x[key]);
  fill(body,
    h("div", { class: "panel" }, h("div", { class: "muted small" },
      "From " + formatTime(data.from) + " to " + formatTime(data.to) + ", in steps of " + duration(data.bucket_ms) + "."), totalsTable(b)),
    h("div", { class: "charts" },
      chart(uPlot, "Runs", xs, [
        { label: "started", color: "#2563eb", values: col("started") },
        { label: "completed", color: "#15803d", values: col("completed") },
        { label: "failed", color: "#dc2626", values: col("failed") },
      ]),
      chart(uPlot, "Event → start latency", xs, [
        { label: "mean", color: "#4f46e5", values: col("latency_avg_ms") },
        { label: "max", color: "#a5b4fc", values: col("latency_max_ms") },
      ], "ms"),
      chart(uPlot, "Step duration", xs, [
        { label: "mean", color: "#0d9488", values: col("step_avg_ms") },
        { label: "max", color: "#99f6e4", values: col("step_max_ms") },
      ], "ms"),
      chart(uPlot, "Backlog", xs, [{ label: "queued, not started", color: "#b7791f", values: col("backlog") }])),
    data.functions ? [h("h2", null, "By function"), h("div", { class: "panel" }, functionsTable(data.functions, hours))] : null);
  return null;
}

page(/^\/metrics(?:\/([^/]+))?\/?$/, "metrics", renderMetrics);
`;

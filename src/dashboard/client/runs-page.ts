/**
 * The run list (`/runs`, also the home page): filters by function, status and time, newest first,
 * refreshed while shown, with "Load more" paging by cursor.
 * @module
 */
import { allFunctions, api, serverUrl } from "./api";
import type { PageBody, UiRun } from "./api-types";
import { append, code, empty, fill, h, link, pill } from "./dom";
import { duration, timeCell } from "./format";
import { fromApiRun, type PageRun } from "./from-api";
import { go, type Refresh } from "./router";

const RUN_STATUSES = ["queued", "running", "completed", "failed", "cancelled"];
const TIME_RANGES = [
  ["", "Any time"],
  ["900000", "Last 15 minutes"],
  ["3600000", "Last hour"],
  ["86400000", "Last 24 hours"],
  ["604800000", "Last 7 days"],
] as const;

function runRow(run: PageRun): HTMLTableRowElement {
  const took = run.ended_at ? run.ended_at - (run.started_at || run.queued_at) : null;
  return h(
    "tr",
    { class: "link", "data-run": run.run_id, onclick: () => go("/runs/" + run.run_id) },
    h("td", null, pill(run.status)),
    h("td", null, link("/runs/" + run.run_id, run.function_name), h("div", { class: "muted small mono" }, run.run_id)),
    h("td", null, run.event_name ? link("/events/" + run.event_id, run.event_name) : h("span", { class: "muted" }, "—")),
    h("td", null, timeCell(run.queued_at)),
    h("td", null, duration(took)),
  );
}

function runsTable(runs: PageRun[]): HTMLTableElement {
  return h(
    "table",
    { class: "runs" },
    h(
      "thead",
      null,
      h("tr", null, h("th", null, "Status"), h("th", null, "Function"), h("th", null, "Trigger"), h("th", null, "Queued"), h("th", null, "Duration")),
    ),
    h("tbody", null, runs.map(runRow)),
  );
}

function noRunsYet(hasApps: boolean, filtered: boolean): HTMLDivElement {
  if (filtered) return empty("No runs match these filters", h("p", null, "Clear a filter, or widen the time range."));
  if (!hasApps) {
    return empty(
      "No runs yet",
      h("p", null, "Runs appear here once an app is synced and an event triggers one of its functions."),
      h("p", null, "Start by ", link("/apps", "syncing your app"), " — run it with ", code("INNGEST_DEV=" + serverUrl()), "."),
    );
  }
  return empty(
    "No runs yet",
    h(
      "p",
      null,
      "Send an event one of your functions listens for (",
      h("b", null, "Send event"),
      " at the top right, or ",
      code("inngest.send()"),
      " from your app), or invoke a function from ",
      link("/functions", "Functions"),
      ".",
    ),
  );
}

/** Renders the run list. */
export async function renderRuns(main: HTMLElement): Promise<Refresh> {
  const params = new URLSearchParams(location.search);
  const functions = await allFunctions();
  const fnSelect = h(
    "select",
    { name: "function", onchange: apply },
    h("option", { value: "" }, "All functions"),
    functions.map((fn) => h("option", { value: fn.id, selected: params.get("function_id") === fn.id }, fn.name + " (" + fn.app + ")")),
  );
  const statusSelect = h(
    "select",
    { name: "status", onchange: apply },
    h("option", { value: "" }, "Any status"),
    RUN_STATUSES.map((s) => h("option", { value: s, selected: params.get("status") === s }, s)),
  );
  const rangeSelect = h(
    "select",
    { name: "range", onchange: apply },
    TIME_RANGES.map(([v, label]) => h("option", { value: v, selected: (params.get("range") || "") === v }, label)),
  );
  const list = h("div", { class: "panel" });
  const more = h("button", { onclick: loadMore, hidden: true }, "Load more");
  let cursor: string | null = null;
  let extra: UiRun[] = [];

  function apply() {
    const next = new URLSearchParams();
    if (fnSelect.value) next.set("function_id", fnSelect.value);
    if (statusSelect.value) next.set("status", statusSelect.value);
    if (rangeSelect.value) next.set("range", rangeSelect.value);
    history.replaceState(null, "", "/runs" + (next.toString() ? "?" + next : ""));
    extra = [];
    void refresh();
  }

  function query(after?: string | null) {
    const q = new URLSearchParams({ limit: "50" });
    if (fnSelect.value) q.set("function_id", fnSelect.value);
    if (statusSelect.value) q.set("status", statusSelect.value);
    if (rangeSelect.value) q.set("after", String(Date.now() - Number(rangeSelect.value)));
    if (after) q.set("cursor", after);
    return "/v0/runs?" + q;
  }

  async function refresh() {
    const page = await api<PageBody<UiRun>>(query());
    const seen = new Set<string>();
    // A run can appear twice when new runs shift the first page into pages already loaded.
    const runs = page.data
      .concat(extra)
      .map(fromApiRun)
      .filter((r) => !seen.has(r.run_id) && seen.add(r.run_id));
    cursor = extra.length > 0 ? cursor : page.cursor;
    more.hidden = !cursor;
    const filtered = Boolean(fnSelect.value || statusSelect.value || rangeSelect.value);
    fill(list, runs.length === 0 ? noRunsYet(functions.length > 0, filtered) : runsTable(runs));
  }

  async function loadMore() {
    const page = await api<PageBody<UiRun>>(query(cursor));
    extra = extra.concat(page.data);
    cursor = page.cursor;
    await refresh();
  }

  append(main, [
    h("h1", null, "Runs"),
    h(
      "div",
      { class: "toolbar" },
      fnSelect,
      statusSelect,
      rangeSelect,
      h("span", { class: "grow" }),
      h("span", { class: "muted small" }, "Updates every few seconds"),
    ),
    list,
    more,
  ]);
  await refresh();
  return refresh;
}

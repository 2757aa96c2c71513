/**
 * The functions page (`/functions`): each synced function with its triggers and flow-control
 * settings, its full config, and an "Invoke" button that runs it with a payload.
 * @module
 */
import { api } from "./api";
import type { AppFunction, AppWithFunctions, FunctionConfig } from "./api-types";
import { append, empty, h, jsonBlock, link, tag } from "./dom";
import { invokeDialog } from "./invoke-dialog";

/** Flow-control and execution settings worth seeing at a glance, by config key. */
const FLOW_KEYS = ["concurrency", "throttle", "rateLimit", "debounce", "batchEvents", "priority", "idempotency", "singleton", "timeouts", "cancel"] as const;

type FlowKey = (typeof FLOW_KEYS)[number];

function triggerTags(config: FunctionConfig): HTMLSpanElement[] {
  return (config.triggers || []).map((t) => ("cron" in t ? tag("cron " + t.cron) : tag(t.event + (t.expression ? " if " + t.expression : ""))));
}

/** A per-key setting's limit, period and key, as the summaries read them. */
interface Limited {
  limit?: number;
  period?: string;
  key?: string;
}

/** One line about a flow-control setting. */
function flowSummary(key: FlowKey, config: FunctionConfig): string {
  if (key === "cancel") return "cancelOn " + (config.cancel ?? []).map((c) => c.event).join(", ");
  if (key === "concurrency") {
    const value = config.concurrency;
    if (typeof value === "number") return "concurrency " + value;
    return (
      "concurrency " +
      ([] as Limited[])
        .concat(value ?? [])
        .map((c) => c.limit + (c.key ? " per " + c.key : ""))
        .join(", ")
    );
  }
  if (key === "throttle" || key === "rateLimit") {
    const value: Limited = config[key] ?? {};
    return key + " " + value.limit + "/" + value.period + (value.key ? " per " + value.key : "");
  }
  if (key === "debounce") return "debounce " + config.debounce?.period + (config.debounce?.key ? " per " + config.debounce.key : "");
  if (key === "batchEvents") return "batch " + config.batchEvents?.maxSize + " / " + config.batchEvents?.timeout;
  if (key === "timeouts")
    return (
      "timeouts " +
      Object.entries(config.timeouts ?? {})
        .map(([k, v]) => k + " " + v)
        .join(", ")
    );
  if (key === "priority") return "priority " + (config.priority?.run || "");
  if (key === "singleton") return "singleton " + (config.singleton?.mode || "") + (config.singleton?.key ? " per " + config.singleton.key : "");
  const value = config[key];
  return key + " " + (typeof value === "string" ? value : JSON.stringify(value));
}

function flowTags(config: FunctionConfig): HTMLSpanElement[] | HTMLSpanElement {
  const tags = FLOW_KEYS.filter((k) => config[k] !== undefined && config[k] !== null).map((k) => tag(flowSummary(k, config), "flow"));
  const retries = config.steps && Object.values(config.steps)[0]?.retries;
  if (retries && retries.attempts !== undefined) tags.push(tag("retries " + retries.attempts, "flow"));
  return tags.length ? tags : h("span", { class: "muted small" }, "none");
}

function functionRows(fn: AppFunction): HTMLTableRowElement[] {
  return [
    h(
      "tr",
      { "data-function": fn.id },
      h("td", null, h("b", null, fn.name), h("div", { class: "muted small mono" }, fn.id)),
      h("td", null, triggerTags(fn.config)),
      h("td", null, flowTags(fn.config)),
      h(
        "td",
        { style: "white-space:nowrap;text-align:right" },
        link("/runs?function_id=" + encodeURIComponent(fn.id), "Runs"),
        " ",
        link("/metrics/" + encodeURIComponent(fn.id), "Metrics"),
        " ",
        h("button", { onclick: () => invokeDialog(fn) }, "Invoke"),
      ),
    ),
    h(
      "tr",
      null,
      h("td", { colspan: 4, style: "padding-top:0" }, h("details", null, h("summary", { class: "muted small" }, "Configuration"), jsonBlock(fn.config))),
    ),
  ];
}

function appFunctions(app: AppWithFunctions): HTMLElement[] {
  const table =
    app.functions.length === 0
      ? h("div", { class: "muted" }, "This app serves no functions.")
      : h(
          "table",
          null,
          h("thead", null, h("tr", null, h("th", null, "Function"), h("th", null, "Triggers"), h("th", null, "Flow control"), h("th", null, ""))),
          h("tbody", null, app.functions.map(functionRows)),
        );
  return [h("h2", null, app.id, " ", h("span", { class: "muted small" }, app.url)), h("div", { class: "panel" }, table)];
}

/** Renders the functions page. */
export async function renderFunctions(main: HTMLElement): Promise<null> {
  const { apps } = await api<{ apps: AppWithFunctions[] }>("/v0/apps");
  append(main, [h("h1", null, "Functions")]);
  if (apps.length === 0) {
    append(main, [
      h(
        "div",
        { class: "panel" },
        empty("No functions yet", h("p", null, "Functions appear once their app is synced. ", link("/apps", "Sync an app"), " to get started.")),
      ),
    ]);
    return null;
  }
  for (const app of apps) append(main, appFunctions(app));
  return null;
}

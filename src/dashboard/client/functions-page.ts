/**
 * Browser code for the functions page (`/functions`): each synced function with its triggers and
 * flow-control settings, its full config, and an "Invoke" button that runs it with a payload.
 * @module
 */

/** Registers the functions page. */
export const FUNCTIONS_PAGE_JS = String.raw`
/** Flow-control and execution settings worth seeing at a glance, by config key. */
const FLOW_KEYS = ["concurrency", "throttle", "rateLimit", "debounce", "batchEvents", "priority", "idempotency", "singleton", "timeouts", "cancel"];

function triggerTags(config) {
  return (config.triggers || []).map((t) => t.cron
    ? tag("cron " + t.cron)
    : tag(t.event + (t.expression ? " if " + t.expression : "")));
}

function flowSummary(key, value) {
  if (key === "cancel") return "cancelOn " + value.map((c) => c.event).join(", ");
  if (key === "concurrency" && typeof value === "number") return "concurrency " + value;
  if (key === "concurrency") return "concurrency " + [].concat(value).map((c) => c.limit + (c.key ? " per " + c.key : "")).join(", ");
  if (key === "throttle" || key === "rateLimit") return key + " " + value.limit + "/" + value.period + (value.key ? " per " + value.key : "");
  if (key === "debounce") return "debounce " + value.period + (value.key ? " per " + value.key : "");
  if (key === "batchEvents") return "batch " + value.maxSize + " / " + value.timeout;
  if (key === "timeouts") return "timeouts " + Object.entries(value).map(([k, v]) => k + " " + v).join(", ");
  if (key === "priority") return "priority " + (value.run || "");
  if (key === "singleton") return "singleton " + (value.mode || "") + (value.key ? " per " + value.key : "");
  return key + " " + (typeof value === "string" ? value : JSON.stringify(value));
}

function flowTags(config) {
  const tags = FLOW_KEYS.filter((k) => config[k] !== undefined && config[k] !== null).map((k) => tag(flowSummary(k, config[k]), "flow"));
  const retries = config.steps && Object.values(config.steps)[0] && Object.values(config.steps)[0].retries;
  if (retries && retries.attempts !== undefined) tags.push(tag("retries " + retries.attempts, "flow"));
  return tags.length ? tags : h("span", { class: "muted small" }, "none");
}

function invokeDialog(fn) {
  const editor = h("textarea", { spellcheck: false, "aria-label": "Invoke payload" }, JSON.stringify({ data: {} }, null, 2));
  const problem = h("div", { class: "invalid" });
  const send = h("button", { class: "primary", onclick: submit }, "Invoke");
  const check = () => {
    try {
      const value = JSON.parse(editor.value);
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("the payload must be an object such as {\"data\": {}}");
      if (value.data !== undefined && (typeof value.data !== "object" || value.data === null || Array.isArray(value.data))) throw new Error("\"data\" must be an object");
      fill(problem);
      send.disabled = false;
      return value;
    } catch (err) {
      fill(problem, err.message);
      send.disabled = true;
      return null;
    }
  };
  editor.addEventListener("input", check);
  const close = modal("Invoke " + fn.name, h("div", null, h("p", { class: "muted small" }, "Runs the function now with this payload, as step.invoke does."), editor, problem), send);
  async function submit() {
    const value = check();
    if (!value) return;
    send.disabled = true;
    try {
      const { data } = await api("/v0/functions/" + encodeURIComponent(fn.id) + "/invoke", { method: "POST", body: value });
      close();
      toast("Invoked. ", link("/events/" + data.event_id, "See its run"));
      go("/events/" + data.event_id);
    } catch (err) {
      fill(problem, err.message);
      send.disabled = false;
    }
  }
}

async function renderFunctions(main) {
  const { apps } = await api("/v0/apps");
  append(main, [h("h1", null, "Functions")]);
  if (apps.length === 0) {
    append(main, [h("div", { class: "panel" }, empty("No functions yet",
      h("p", null, "Functions appear once their app is synced. ", link("/apps", "Sync an app"), " to get started.")))]);
    return null;
  }
  for (const app of apps) {
    append(main, [h("h2", null, app.id, " ", h("span", { class: "muted small" }, app.url)),
      h("div", { class: "panel" }, app.functions.length === 0 ? h("div", { class: "muted" }, "This app serves no functions.") : h("table", null,
        h("thead", null, h("tr", null, h("th", null, "Function"), h("th", null, "Triggers"), h("th", null, "Flow control"), h("th", null, ""))),
        h("tbody", null, app.functions.map((fn) => [
          h("tr", { "data-function": fn.id },
            h("td", null, h("b", null, fn.name), h("div", { class: "muted small mono" }, fn.id)),
            h("td", null, triggerTags(fn.config)),
            h("td", null, flowTags(fn.config)),
            h("td", { style: "white-space:nowrap;text-align:right" },
              link("/runs?function_id=" + encodeURIComponent(fn.id), "Runs"), " ",
              link("/metrics/" + encodeURIComponent(fn.id), "Metrics"), " ",
              h("button", { onclick: () => invokeDialog(fn) }, "Invoke"))),
          h("tr", null, h("td", { colspan: 4, style: "padding-top:0" },
            h("details", null, h("summary", { class: "muted small" }, "Configuration"), jsonBlock(fn.config)))),
        ]))))]);
  }
  return null;
}

page(/^\/functions\/?$/, "functions", renderFunctions);
`;

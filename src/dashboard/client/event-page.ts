/**
 * One event's page (`/events/:id`): its payload, the runs it started, and the runs it resumed or
 * cancelled.
 * @module
 */
import { api } from "./api";
import type { ApiEvent, ApiRun, DataBody, EventEffects } from "./api-types";
import { append, type Child, fill, h, jsonBlock, link, messageOf, pill } from "./dom";
import { formatTime, timeCell } from "./format";
import { ms } from "./from-api";
import { go, type Refresh } from "./router";

type EffectRow = EventEffects["resumed"][number];

/** The runs an event resumed or cancelled: a count, and a link to each run listed. */
function effectList(title: string, kind: string, count: number, rows: EffectRow[], what: string): Child[] {
  return [
    h("h2", null, title + " ", h("span", { class: "muted small", "data-effect-count": kind }, String(count))),
    h(
      "div",
      { class: "panel", "data-effects": kind },
      count === 0
        ? h("div", { class: "muted small" }, "None: no " + what + ".")
        : h(
            "table",
            null,
            h(
              "tbody",
              null,
              rows.map((r) =>
                h(
                  "tr",
                  null,
                  h("td", null, link("/runs/" + r.run_id, r.function_name || r.function_id || r.run_id)),
                  h("td", null, r.step_name || r.step_id || ""),
                  h("td", { class: "mono small" }, r.run_id),
                  h("td", null, timeCell(ms(r.at))),
                ),
              ),
            ),
          ),
      count > rows.length ? h("div", { class: "muted small" }, "and " + (count - rows.length) + " more") : null,
    ),
  ];
}

function runsPanel(event: ApiEvent, runs: ApiRun[]): HTMLDivElement {
  if (runs.length === 0) {
    const why =
      event.status === "pending" ? "Routing…" : event.status === "failed" ? "No runs: routing this event failed." : "No function is triggered by this event.";
    return h("div", { class: "panel" }, h("div", { class: "muted" }, why));
  }
  return h(
    "div",
    { class: "panel" },
    h(
      "table",
      null,
      h(
        "tbody",
        null,
        runs.map((r) =>
          h(
            "tr",
            { class: "link", onclick: () => go("/runs/" + r.run_id) },
            h("td", null, pill(r.status.toLowerCase())),
            h("td", null, link("/runs/" + r.run_id, r.function_id)),
            h("td", { class: "mono small" }, r.run_id),
          ),
        ),
      ),
    ),
  );
}

/** Renders one event's page. */
export async function renderEvent(main: HTMLElement, match: RegExpExecArray): Promise<Refresh> {
  const id = decodeURIComponent(match[1]!);
  const body = h("div");
  async function load() {
    const path = "/v1/events/" + encodeURIComponent(id);
    const [{ data: event }, { data: runs }, { data: effects }] = await Promise.all([
      api<DataBody<ApiEvent>>(path),
      api<DataBody<ApiRun[]>>(path + "/runs"),
      api<DataBody<EventEffects>>("/v0/events/" + encodeURIComponent(id) + "/effects"),
    ]);
    fill(
      body,
      h(
        "div",
        { class: "panel" },
        h("h1", null, event.name),
        h("div", { class: "muted mono small" }, event.internal_id),
        h(
          "div",
          { class: "meta" },
          h("div", null, h("span", null, "Received"), formatTime(Date.parse(event.received_at))),
          h("div", null, h("span", null, "Event ID"), h("span", { class: "mono small" }, event.id)),
          h("div", null, h("span", null, "Routing"), event.status === "failed" ? pill("failed") : event.status),
        ),
        event.status === "failed"
          ? h("div", { class: "invalid small", style: "color:var(--failed)" }, "Routing failed: " + (event.error || "no reason recorded"))
          : null,
      ),
      h("h2", null, "Runs"),
      runsPanel(event, runs),
      effectList("Resumed", "resumed", effects.resumed_count, effects.resumed, "waits this event resumed (step.waitForEvent, step.invoke)"),
      effectList("Cancelled", "cancelled", effects.cancelled_count, effects.cancelled, "runs this event cancelled (cancelOn)"),
      h("h2", null, "Payload"),
      jsonBlock(event),
    );
  }
  append(main, [h("div", { class: "small" }, link("/events", "← All events")), body]);
  // History is written about a second behind ingestion: a page opened right after sending or
  // invoking shows a note and fills in on a later poll instead of failing for good.
  await load().catch((err: unknown) => fill(body, h("div", { class: "muted" }, "Not in history yet (" + messageOf(err) + "); checking again…")));
  return load;
}

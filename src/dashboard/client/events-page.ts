/**
 * The live event stream (`/events`), searchable by name and by a field of the event
 * (`data.userId=42`), with how many runs each event started.
 * @module
 */
import { allFunctions, api, serverUrl } from "./api";
import type { PageBody, UiEvent } from "./api-types";
import { append, code, empty, fill, h, link, messageOf, pill } from "./dom";
import { timeCell } from "./format";
import { fromApiEvent, type PageEvent } from "./from-api";
import { go, type Refresh } from "./router";

function eventRow(event: PageEvent): HTMLTableRowElement {
  return h(
    "tr",
    { class: "link", onclick: () => go("/events/" + event.internal_id) },
    h("td", null, link("/events/" + event.internal_id, event.name)),
    h("td", { class: "mono small" }, event.internal_id),
    h("td", null, timeCell(event.received_at)),
    h("td", null, runsCell(event)),
    h("td", { class: "mono small muted" }, JSON.stringify(event.data).slice(0, 80)),
  );
}

// A failed event may still have started some runs (a fan-out part failed): show both.
function runsCell(event: PageEvent): HTMLElement | string {
  if (event.status === "pending") return h("span", { class: "muted" }, "routing…");
  if (event.status === "failed") return h("span", { title: event.error || "" }, pill("failed"), " ", String(event.run_count));
  return String(event.run_count);
}

function noEventsYet(filtered: boolean): HTMLDivElement {
  if (filtered) return empty("No events match", h("p", null, "Names match exactly; a field search looks like ", code("data.userId=42"), "."));
  return empty(
    "No events yet",
    h("p", null, "Events your app sends show up here as they arrive."),
    h(
      "ol",
      null,
      h("li", null, "Run your app with ", code("INNGEST_DEV=" + serverUrl()), " so ", code("inngest.send()"), " reaches this server;"),
      h("li", null, "or POST JSON to ", code(serverUrl() + "/e/<any key>"), ";"),
      h("li", null, "or use ", h("b", null, "Send event"), " at the top right."),
    ),
  );
}

/** The event names the synced functions are triggered by, for the name field's suggestions. */
async function triggerNames(): Promise<string[]> {
  const events = (await allFunctions()).flatMap((fn) => (fn.config.triggers || []).map((t) => ("event" in t ? t.event : undefined)));
  return [...new Set(events.filter((name): name is string => Boolean(name)))];
}

/** Renders the event stream. */
export async function renderEvents(main: HTMLElement): Promise<Refresh> {
  const params = new URLSearchParams(location.search);
  const names = await triggerNames();
  const nameInput = h("input", {
    type: "text",
    name: "name",
    placeholder: "Event name, e.g. app/user.created",
    list: "event-names",
    value: params.get("name") || "",
    size: 28,
  });
  const fieldInput = h("input", { type: "text", name: "field", placeholder: "Field, e.g. data.userId=42", value: params.get("field") || "", size: 24 });
  const internal = h("input", { type: "checkbox", name: "internal", checked: params.get("internal") === "1", onchange: apply });
  const problem = h("div", { class: "invalid small", style: "color:var(--failed)" });
  const list = h("div", { class: "panel" });
  const more = h("button", { onclick: loadMore, hidden: true }, "Load more");
  let cursor: string | null = null;
  let extra: UiEvent[] = [];

  function apply(e?: Event) {
    e?.preventDefault();
    const next = new URLSearchParams();
    if (nameInput.value.trim()) next.set("name", nameInput.value.trim());
    if (fieldInput.value.trim()) next.set("field", fieldInput.value.trim());
    if (internal.checked) next.set("internal", "1");
    history.replaceState(null, "", "/events" + (next.toString() ? "?" + next : ""));
    extra = [];
    void refresh();
  }

  function query(after?: string | null) {
    const q = new URLSearchParams({ limit: "50", internal: internal.checked ? "1" : "0" });
    if (nameInput.value.trim()) q.set("name", nameInput.value.trim());
    if (fieldInput.value.trim()) q.set("field", fieldInput.value.trim());
    if (after) q.set("cursor", after);
    return "/v0/events?" + q;
  }

  async function refresh() {
    let page: PageBody<UiEvent>;
    try {
      page = await api<PageBody<UiEvent>>(query());
      fill(problem);
    } catch (err) {
      fill(problem, messageOf(err));
      return;
    }
    const seen = new Set<string>();
    const events = page.data
      .concat(extra)
      .map(fromApiEvent)
      .filter((e) => !seen.has(e.internal_id) && seen.add(e.internal_id));
    cursor = extra.length > 0 ? cursor : page.cursor;
    more.hidden = !cursor;
    const filtered = Boolean(nameInput.value.trim() || fieldInput.value.trim());
    fill(
      list,
      events.length === 0
        ? noEventsYet(filtered)
        : h(
            "table",
            null,
            h(
              "thead",
              null,
              h("tr", null, h("th", null, "Name"), h("th", null, "ID"), h("th", null, "Received"), h("th", null, "Runs"), h("th", null, "Data")),
            ),
            h("tbody", null, events.map(eventRow)),
          ),
    );
  }

  async function loadMore() {
    const page = await api<PageBody<UiEvent>>(query(cursor));
    extra = extra.concat(page.data);
    cursor = page.cursor;
    await refresh();
  }

  append(main, [
    h("h1", null, "Events"),
    h(
      "form",
      { class: "toolbar", onsubmit: apply },
      nameInput,
      h(
        "datalist",
        { id: "event-names" },
        names.map((n) => h("option", { value: n })),
      ),
      fieldInput,
      h("button", { type: "submit" }, "Search"),
      h("label", { class: "small muted" }, internal, " show internal events (inngest/…)"),
      h("span", { class: "grow" }),
      h("span", { class: "muted small" }, "Live"),
    ),
    problem,
    list,
    more,
  ]);
  await refresh();
  return refresh;
}

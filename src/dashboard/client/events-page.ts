/**
 * Browser code for the live event stream (`/events`), searchable by name and by a field of the
 * event (`data.userId=42`), and for one event's page (`/events/:id`) with the runs it started.
 * @module
 */

/** Registers the events pages. */
export const EVENTS_PAGE_JS = String.raw`
function eventRow(event) {
  return h("tr", { class: "link", onclick: () => go("/events/" + event.internal_id) },
    h("td", null, link("/events/" + event.internal_id, event.name)),
    h("td", { class: "mono small" }, event.internal_id),
    h("td", null, timeCell(event.received_at)),
    h("td", null, runsCell(event)),
    h("td", { class: "mono small muted" }, JSON.stringify(event.data).slice(0, 80)));
}

// A failed event may still have started some runs (a fan-out part failed): show both.
function runsCell(event) {
  if (event.status === "pending") return h("span", { class: "muted" }, "routing…");
  if (event.status === "failed") return h("span", { title: event.error || "" }, pill("failed"), " ", String(event.run_count));
  return String(event.run_count);
}

function noEventsYet(filtered) {
  if (filtered) return empty("No events match", h("p", null, "Names match exactly; a field search looks like ", code("data.userId=42"), "."));
  return empty("No events yet",
    h("p", null, "Events your app sends show up here as they arrive."),
    h("ol", null,
      h("li", null, "Run your app with ", code("INNGEST_DEV=" + serverUrl()), " so ", code("inngest.send()"), " reaches this server;"),
      h("li", null, "or POST JSON to ", code(serverUrl() + "/e/<any key>"), ";"),
      h("li", null, "or use ", h("b", null, "Send event"), " at the top right.")));
}

async function renderEvents(main) {
  const params = new URLSearchParams(location.search);
  const names = [...new Set((await allFunctions()).flatMap((fn) => (fn.config.triggers || []).map((t) => t.event).filter(Boolean)))];
  const nameInput = h("input", { type: "text", name: "name", placeholder: "Event name, e.g. app/user.created", list: "event-names", value: params.get("name") || "", size: 28 });
  const fieldInput = h("input", { type: "text", name: "field", placeholder: "Field, e.g. data.userId=42", value: params.get("field") || "", size: 24 });
  const internal = h("input", { type: "checkbox", name: "internal", checked: params.get("internal") === "1", onchange: apply });
  const problem = h("div", { class: "invalid small", style: "color:var(--failed)" });
  const list = h("div", { class: "panel" });
  const more = h("button", { onclick: loadMore, hidden: true }, "Load more");
  let cursor = null;
  let extra = [];

  function apply(e) {
    if (e && e.preventDefault) e.preventDefault();
    const next = new URLSearchParams();
    if (nameInput.value.trim()) next.set("name", nameInput.value.trim());
    if (fieldInput.value.trim()) next.set("field", fieldInput.value.trim());
    if (internal.checked) next.set("internal", "1");
    history.replaceState(null, "", "/events" + (next.toString() ? "?" + next : ""));
    extra = [];
    refresh();
  }

  function query(after) {
    const q = new URLSearchParams({ limit: "50", internal: internal.checked ? "1" : "0" });
    if (nameInput.value.trim()) q.set("name", nameInput.value.trim());
    if (fieldInput.value.trim()) q.set("field", fieldInput.value.trim());
    if (after) q.set("cursor", after);
    return "/v0/events?" + q;
  }

  async function refresh() {
    let page;
    try {
      page = await api(query());
      fill(problem);
    } catch (err) {
      fill(problem, err.message);
      return;
    }
    const seen = new Set();
    const events = page.data.concat(extra).map(fromApiEvent).filter((e) => !seen.has(e.internal_id) && seen.add(e.internal_id));
    cursor = extra.length > 0 ? cursor : page.cursor;
    more.hidden = !cursor;
    const filtered = Boolean(nameInput.value.trim() || fieldInput.value.trim());
    fill(list, events.length === 0 ? noEventsYet(filtered) : h("table", null,
      h("thead", null, h("tr", null, h("th", null, "Name"), h("th", null, "ID"), h("th", null, "Received"), h("th", null, "Runs"), h("th", null, "Data"))),
      h("tbody", null, events.map(eventRow))));
  }

  async function loadMore() {
    const page = await api(query(cursor));
    extra = extra.concat(page.data);
    cursor = page.cursor;
    await refresh();
  }

  append(main, [
    h("h1", null, "Events"),
    h("form", { class: "toolbar", onsubmit: apply }, nameInput, h("datalist", { id: "event-names" }, names.map((n) => h("option", { value: n }))),
      fieldInput, h("button", { type: "submit" }, "Search"),
      h("label", { class: "small muted" }, internal, " show internal events (inngest/…)"),
      h("span", { class: "grow" }), h("span", { class: "muted small" }, "Live")),
    problem, list, more,
  ]);
  await refresh();
  return refresh;
}

/** The runs an event resumed or cancelled: a count, and a link to each run listed. */
function effectList(title, kind, count, rows, what) {
  return [h("h2", null, title + " ", h("span", { class: "muted small", "data-effect-count": kind }, String(count))),
    h("div", { class: "panel", "data-effects": kind }, count === 0 ? h("div", { class: "muted small" }, "None: no " + what + ".")
      : h("table", null, h("tbody", null, rows.map((r) => h("tr", null,
        h("td", null, link("/runs/" + r.run_id, r.function_name || r.function_id || r.run_id)),
        h("td", null, r.step_name || r.step_id || ""),
        h("td", { class: "mono small" }, r.run_id),
        h("td", null, timeCell(ms(r.at))))))),
      count > rows.length ? h("div", { class: "muted small" }, "and " + (count - rows.length) + " more") : null)];
}

async function renderEvent(main, match) {
  const id = decodeURIComponent(match[1]);
  const body = h("div");
  async function load() {
    const [{ data: event }, { data: runs }, { data: effects }] = await Promise.all([api("/v1/events/" + encodeURIComponent(id)),
      api("/v1/events/" + encodeURIComponent(id) + "/runs"), api("/v0/events/" + encodeURIComponent(id) + "/effects")]);
    fill(body,
      h("div", { class: "panel" }, h("h1", null, event.name), h("div", { class: "muted mono small" }, event.internal_id),
        h("div", { class: "meta" },
          h("div", null, h("span", null, "Received"), formatTime(Date.parse(event.received_at))),
          h("div", null, h("span", null, "Event ID"), h("span", { class: "mono small" }, event.id)),
          h("div", null, h("span", null, "Routing"), event.status === "failed" ? pill("failed") : event.status)),
        event.status === "failed" ? h("div", { class: "invalid small", style: "color:var(--failed)" }, "Routing failed: " + (event.error || "no reason recorded")) : null),
      h("h2", null, "Runs"),
      h("div", { class: "panel" }, runs.length === 0
        ? h("div", { class: "muted" }, event.status === "pending" ? "Routing…" : event.status === "failed" ? "No runs: routing this event failed." : "No function is triggered by this event.")
        : h("table", null, h("tbody", null, runs.map((r) => h("tr", { class: "link", onclick: () => go("/runs/" + r.run_id) },
          h("td", null, pill(r.status.toLowerCase())), h("td", null, link("/runs/" + r.run_id, r.function_id)), h("td", { class: "mono small" }, r.run_id)))))),
      effectList("Resumed", "resumed", effects.resumed_count, effects.resumed, "waits this event resumed (step.waitForEvent, step.invoke)"),
      effectList("Cancelled", "cancelled", effects.cancelled_count, effects.cancelled, "runs this event cancelled (cancelOn)"),
      h("h2", null, "Payload"), jsonBlock(event));
  }
  append(main, [h("div", { class: "small" }, link("/events", "← All events")), body]);
  // History is written about a second behind ingestion: a page opened right after sending or
  // invoking shows a note and fills in on a later poll instead of failing for good.
  await load().catch((err) => fill(body, h("div", { class: "muted" }, "Not in history yet (" + String(err.message || err) + "); checking again…")));
  return load;
}

page(/^\/events\/?$/, "events", renderEvents);
page(/^\/events\/([^/]+)$/, "events", renderEvent);
`;

/**
 * The header's "Send event" dialog: a JSON editor that checks the event as it is typed, then
 * sends it through the same validation as `POST /e/:key`.
 * @module
 */
import { api } from "./api";
import type { DataBody } from "./api-types";
import { fill, h, link, messageOf } from "./dom";
import { modal, toast } from "./overlay";
import { route } from "./router";

const EXAMPLE_EVENT = { name: "test/hello.world", data: { message: "Hello from the dashboard" } };

/** Why the text is not a sendable event (or array of events), or null when it is. */
function eventProblem(text: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return "Not valid JSON: " + messageOf(err);
  }
  const events: unknown[] = Array.isArray(value) ? value : [value];
  if (events.length === 0) return "Send at least one event.";
  for (const [i, event] of events.entries()) {
    const where = Array.isArray(value) ? "Event " + i + ": " : "";
    if (typeof event !== "object" || event === null || Array.isArray(event)) return where + 'an event is an object like {"name": "...", "data": {}}.';
    const { name, data } = event as { name?: unknown; data?: unknown };
    if (typeof name !== "string" || name.trim() === "") return where + '"name" is required.';
    if (data !== undefined && (typeof data !== "object" || data === null || Array.isArray(data))) return where + '"data" must be an object.';
  }
  return null;
}

/** Opens the dialog. */
export function sendEventDialog(): void {
  const editor = h("textarea", { spellcheck: false, "aria-label": "Event JSON" }, JSON.stringify(EXAMPLE_EVENT, null, 2));
  const problem = h("div", { class: "invalid" });
  const send = h("button", { class: "primary", onclick: submit }, "Send event");
  const check = () => {
    const why = eventProblem(editor.value);
    fill(problem, why || "");
    send.disabled = Boolean(why);
    return !why;
  };
  editor.addEventListener("input", check);
  const close = modal(
    "Send an event",
    h("div", null, h("p", { class: "muted small" }, "One event or an array. Functions triggered by its name start runs."), editor, problem),
    send,
  );
  async function submit() {
    if (!check()) return;
    send.disabled = true;
    try {
      const { data } = await api<DataBody<{ ids: string[] }>>("/v0/events", { method: "POST", body: editor.value });
      close();
      const first = data.ids[0];
      toast("Sent " + data.ids.length + " event" + (data.ids.length === 1 ? "" : "s") + ". ", link("/events/" + first, "View"));
      if (location.pathname === "/" || location.pathname.startsWith("/runs") || location.pathname.startsWith("/events")) void route();
    } catch (err) {
      fill(problem, messageOf(err));
      send.disabled = false;
    }
  }
  editor.focus();
}

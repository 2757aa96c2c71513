/**
 * Browser code for the header's "Send event" dialog: a JSON editor that checks the event as it is
 * typed, then sends it through the same validation as `POST /e/:key`.
 * @module
 */

/** Wires the "Send event" button and starts the router. */
export const SEND_EVENT_JS = String.raw`
const EXAMPLE_EVENT = { name: "test/hello.world", data: { message: "Hello from the dashboard" } };

/** Why the text is not a sendable event (or array of events), or null when it is. */
function eventProblem(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return "Not valid JSON: " + err.message;
  }
  const events = Array.isArray(value) ? value : [value];
  if (events.length === 0) return "Send at least one event.";
  for (const [i, event] of events.entries()) {
    const where = Array.isArray(value) ? "Event " + i + ": " : "";
    if (typeof event !== "object" || event === null || Array.isArray(event)) return where + "an event is an object like {\"name\": \"...\", \"data\": {}}.";
    if (typeof event.name !== "string" || event.name.trim() === "") return where + "\"name\" is required.";
    if (event.data !== undefined && (typeof event.data !== "object" || event.data === null || Array.isArray(event.data))) return where + "\"data\" must be an object.";
  }
  return null;
}

function sendEventDialog() {
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
  const close = modal("Send an event", h("div", null,
    h("p", { class: "muted small" }, "One event or an array. Functions triggered by its name start runs."), editor, problem), send);
  async function submit() {
    if (!check()) return;
    send.disabled = true;
    try {
      const { data } = await api("/v0/events", { method: "POST", body: editor.value });
      close();
      const first = data.ids[0];
      toast("Sent " + data.ids.length + " event" + (data.ids.length === 1 ? "" : "s") + ". ", link("/events/" + first, "View"));
      if (location.pathname === "/" || location.pathname.startsWith("/runs") || location.pathname.startsWith("/events")) route();
    } catch (err) {
      fill(problem, err.message);
      send.disabled = false;
    }
  }
  editor.focus();
}

document.querySelector("#send-event").addEventListener("click", sendEventDialog);
route();
`;

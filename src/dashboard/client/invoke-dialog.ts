/**
 * The functions page's "Invoke" dialog: a JSON payload, checked as it is typed, that runs the
 * function now as `step.invoke` does.
 * @module
 */
import { api } from "./api";
import type { AppFunction, DataBody } from "./api-types";
import { fill, h, link, messageOf } from "./dom";
import { modal, toast } from "./overlay";
import { go } from "./router";

/** The payload in the editor, or why it is not one. */
function parsePayload(text: string): { ok: true; value: object } | { ok: false; problem: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value))
      return { ok: false, problem: 'the payload must be an object such as {"data": {}}' };
    const data = (value as { data?: unknown }).data;
    if (data !== undefined && (typeof data !== "object" || data === null || Array.isArray(data))) return { ok: false, problem: '"data" must be an object' };
    return { ok: true, value };
  } catch (err) {
    return { ok: false, problem: messageOf(err) };
  }
}

/** Opens the dialog that invokes `fn`. */
export function invokeDialog(fn: AppFunction): void {
  const editor = h("textarea", { spellcheck: false, "aria-label": "Invoke payload" }, JSON.stringify({ data: {} }, null, 2));
  const problem = h("div", { class: "invalid" });
  const send = h("button", { class: "primary", onclick: submit }, "Invoke");
  const check = (): object | null => {
    const payload = parsePayload(editor.value);
    fill(problem, payload.ok ? null : payload.problem);
    send.disabled = !payload.ok;
    return payload.ok ? payload.value : null;
  };
  editor.addEventListener("input", check);
  const close = modal(
    "Invoke " + fn.name,
    h("div", null, h("p", { class: "muted small" }, "Runs the function now with this payload, as step.invoke does."), editor, problem),
    send,
  );
  async function submit() {
    const value = check();
    if (!value) return;
    send.disabled = true;
    try {
      const { data } = await api<DataBody<{ event_id: string }>>("/v0/functions/" + encodeURIComponent(fn.id) + "/invoke", { method: "POST", body: value });
      close();
      toast("Invoked. ", link("/events/" + data.event_id, "See its run"));
      go("/events/" + data.event_id);
    } catch (err) {
      fill(problem, messageOf(err));
      send.disabled = false;
    }
  }
}

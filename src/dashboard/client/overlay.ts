/**
 * What shows over the page: a short-lived notice and a modal dialog.
 * @module
 */
import { append, type Child, h } from "./dom";

/** How long a notice stays. */
const TOAST_MS = 6000;

let toastTimer = 0;

/** Shows a notice at the bottom of the page for a few seconds, replacing any other. */
export function toast(...children: Child[]): void {
  document.querySelectorAll(".toast").forEach((t) => t.remove());
  const el = h("div", { class: "toast", role: "status" }, ...children);
  document.body.appendChild(el);
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => el.remove(), TOAST_MS);
}

/** A modal dialog with a Close button beside `actions`; returns a function that closes it. */
export function modal(title: string, body: Child, actions: Child): () => void {
  const back: HTMLDivElement = h("div", { class: "modal-back", onclick: (e) => e.target === back && close() });
  const close = () => back.remove();
  append(back, [
    h(
      "div",
      { class: "modal", role: "dialog" },
      h("h2", { style: "margin-top:0" }, title),
      body,
      h("div", { class: "toolbar", style: "justify-content:flex-end" }, h("button", { onclick: close }, "Close"), actions),
    ),
  ]);
  document.body.appendChild(back);
  return close;
}

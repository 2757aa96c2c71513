/**
 * Browser code shared by every page: DOM building, API calls, formatting, the router and polling.
 * Plain ES2020 run as-is by the browser (no build step), so it is a string; pages register
 * themselves with `page(...)`. Text is always set with text nodes, never parsed as HTML.
 * @module
 */

/** The dashboard's runtime; defines `h`, `api`, `page`, `go`, the formatters and the router. */
export const CORE_JS = String.raw`
"use strict";
const POLL_MS = 2000;
const pages = [];

/** Builds an element: attrs may hold class, on* handlers, and plain attributes; children nest. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "style") el.setAttribute("style", value);
    else if (key in el && key !== "list") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Calls the server's JSON API; throws an Error carrying the server's own message. */
async function api(path, options) {
  const init = Object.assign({ headers: {} }, options || {});
  if (init.body !== undefined && typeof init.body !== "string") init.body = JSON.stringify(init.body);
  if (init.body !== undefined) init.headers["Content-Type"] = "application/json";
  const res = await fetch(path, init);
  if (res.status === 401 && document.body.dataset.mode === "production") location.href = "/login";
  const body = await res.json().catch(() => ({}));
  if (!res.ok || body.error) throw new Error(body.error || res.status + " " + res.statusText);
  return body;
}

/** An in-dashboard link that navigates without reloading. */
function link(href, ...children) {
  return h("a", { href, "data-link": "1" }, ...children);
}

function go(path) {
  history.pushState(null, "", path);
  route();
}

function pill(status) {
  return h("span", { class: "pill " + status }, status);
}

function tag(text, cls) {
  return h("span", { class: "tag" + (cls ? " " + cls : "") }, text);
}

function jsonBlock(value) {
  return h("pre", { class: "json" }, value === undefined ? "" : JSON.stringify(value, null, 2));
}

function empty(title, ...body) {
  return h("div", { class: "empty" }, h("h3", null, title), ...body);
}

/** ms since the epoch from an RFC 3339 time of the API; null stays null. */
function ms(time) {
  return time === null || time === undefined ? null : Date.parse(time);
}

const RUN_STATUS_FROM_API = { Running: "running", Completed: "completed", Failed: "failed", Cancelled: "cancelled" };

/**
 * A run from /v0 (v1's statuses and times) as the pages use it: lower-case statuses, with
 * "queued" for a run not started yet, and times in ms.
 */
function fromApiRun(run) {
  const started = ms(run.started_at);
  const status = RUN_STATUS_FROM_API[run.status] || run.status;
  return Object.assign({}, run, { status: status === "running" && started === null ? "queued" : status,
    queued_at: ms(run.queued_at), started_at: started, ended_at: ms(run.ended_at) });
}

/** A step from /v0 with its times in ms. */
function fromApiStep(step) {
  return Object.assign({}, step, { started_at: ms(step.started_at), ended_at: ms(step.ended_at),
    attempt_errors: (step.attempt_errors || []).map((a) => Object.assign({}, a, { at: ms(a.at) })) });
}

/** An event from /v0 with its receive time in ms. */
function fromApiEvent(event) {
  return Object.assign({}, event, { received_at: ms(event.received_at) });
}

/** A placeholder shown while a page's data loads. */
function loading(text) {
  return h("div", { class: "loading", role: "status" }, h("span", { class: "spinner" }), text || "Loading…");
}

function code(text) {
  return h("code", null, text);
}

function formatTime(ms) {
  return ms === null || ms === undefined ? "—" : new Date(ms).toLocaleString();
}

function ago(ms) {
  if (ms === null || ms === undefined) return "—";
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return s + "s ago";
  if (s < 3600) return Math.floor(s / 60) + "m ago";
  if (s < 86400) return Math.floor(s / 3600) + "h ago";
  return new Date(ms).toLocaleDateString();
}

/** The one duration format of every page: "840 ms", "2.35 s", "1 m 5 s", "2 h 0 m 12 s". */
function duration(ms) {
  if (ms === null || ms === undefined || ms < 0) return "—";
  if (ms < 1000) return Math.round(ms) + " ms";
  if (ms < 60000) return (Math.floor(ms / 10) / 100).toFixed(2) + " s";
  // Whole seconds first, so 119.7 s reads "2 m 0 s", never "1 m 60 s".
  const s = Math.round(ms / 1000);
  const hours = Math.floor(s / 3600);
  return (hours ? hours + " h " : "") + Math.floor((s % 3600) / 60) + " m " + (s % 60) + " s";
}

function timeCell(ms) {
  return h("span", { title: formatTime(ms) }, ago(ms));
}

let toastTimer = 0;
function toast(...children) {
  document.querySelectorAll(".toast").forEach((t) => t.remove());
  const el = h("div", { class: "toast", role: "status" }, ...children);
  document.body.appendChild(el);
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.remove(), 6000);
}

/** A modal dialog; returns a function that closes it. */
function modal(title, body, actions) {
  const back = h("div", { class: "modal-back", onclick: (e) => e.target === back && close() });
  const close = () => back.remove();
  append(back, [h("div", { class: "modal", role: "dialog" }, h("h2", { style: "margin-top:0" }, title), body,
    h("div", { class: "toolbar", style: "justify-content:flex-end" }, h("button", { onclick: close }, "Close"), actions))]);
  document.body.appendChild(back);
  return close;
}

/** The origin apps should point INNGEST_DEV / INNGEST_BASE_URL at. */
function serverUrl() {
  return location.origin;
}

/** Registers a page: pattern over the path, nav section, and render(main, match) -> refresh?. */
function page(pattern, section, render) {
  pages.push({ pattern, section, render });
}

let generation = 0;
let pollTimer = 0;

/** Renders the page for the current path; polls its refresh function while the page is shown. */
async function route() {
  const path = location.pathname;
  const found = pages.map((p) => ({ p, m: p.pattern.exec(path) })).find((x) => x.m) || { p: pages[0], m: [path] };
  const mine = ++generation;
  clearTimeout(pollTimer);
  document.querySelectorAll("header.top nav a").forEach((a) => a.classList.toggle("active", a.dataset.section === found.p.section));
  // Shown above whatever the page adds until its first load is done.
  const waiting = loading();
  const main = fill(document.querySelector("main"), waiting);
  let refresh;
  try {
    refresh = await found.p.render(main, found.m);
    waiting.remove();
  } catch (err) {
    if (mine === generation) fill(main, h("div", { class: "error-box" }, String(err.message || err)));
  }
  const tick = async () => {
    if (mine !== generation) return;
    if (refresh && !document.hidden) await refresh().catch((err) => console.warn("refresh failed", err));
    if (mine === generation) pollTimer = setTimeout(tick, POLL_MS);
  };
  pollTimer = setTimeout(tick, POLL_MS);
}

document.addEventListener("click", (e) => {
  const a = e.target.closest && e.target.closest("a[data-link]");
  if (!a || e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  go(a.getAttribute("href"));
});
window.addEventListener("popstate", route);
`;

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

function duration(ms) {
  if (ms === null || ms === undefined || ms < 0) return "—";
  if (ms < 1000) return Math.round(ms) + " ms";
  if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + " s";
  const m = Math.floor(ms / 60000);
  return m + " m " + Math.round((ms % 60000) / 1000) + " s";
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
  const main = fill(document.querySelector("main"));
  let refresh;
  try {
    refresh = await found.p.render(main, found.m);
  } catch (err) {
    fill(main, h("div", { class: "error-box" }, String(err.message || err)));
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

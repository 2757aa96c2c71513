/**
 * The dashboard's router: pages register a pattern over the path; the page for the current path
 * is rendered into `<main>` and its refresh function polled while it is shown. In-dashboard links
 * navigate without reloading.
 * @module
 */
import { fill, h, loading, messageOf } from "./dom";

/** How often the shown page refreshes its data. */
const POLL_MS = 2000;

/** Refreshes a page's data in place; polled while the page is shown. */
export type Refresh = () => Promise<unknown>;

/** Renders a page into `main`; `match` is its pattern's match of the path. */
export type Render = (main: HTMLElement, match: RegExpExecArray) => Promise<Refresh | null>;

interface Page {
  pattern: RegExp;
  /** The navigation link shown as active. */
  section: string;
  render: Render;
}

const pages: Page[] = [];
let generation = 0;
let pollTimer = 0;

/** Registers a page; the first one registered is the fallback for paths no pattern matches. */
export function page(pattern: RegExp, section: string, render: Render): void {
  pages.push({ pattern, section, render });
}

/** Navigates to an in-dashboard path. */
export function go(path: string): void {
  history.pushState(null, "", path);
  void route();
}

/** The page for `path` and its match; the fallback page when none matches. */
function pageFor(path: string): { page: Page; match: RegExpExecArray } {
  for (const p of pages) {
    const match = p.pattern.exec(path);
    if (match) return { page: p, match };
  }
  const match = Object.assign([path], { index: 0, input: path }) as RegExpExecArray;
  return { page: pages[0]!, match };
}

/** Renders the page for the current path; polls its refresh function while the page is shown. */
export async function route(): Promise<void> {
  const found = pageFor(location.pathname);
  const mine = ++generation;
  clearTimeout(pollTimer);
  document.querySelectorAll<HTMLElement>("header.top nav a").forEach((a) => a.classList.toggle("active", a.dataset.section === found.page.section));
  // Shown above whatever the page adds until its first load is done.
  const waiting = loading();
  const main = fill(document.querySelector("main")!, waiting);
  let refresh: Refresh | null = null;
  try {
    refresh = await found.page.render(main, found.match);
    waiting.remove();
  } catch (err) {
    if (mine === generation) fill(main, h("div", { class: "error-box" }, messageOf(err)));
  }
  const tick = async () => {
    if (mine !== generation) return;
    if (refresh && !document.hidden) await refresh().catch((err: unknown) => console.warn("refresh failed", err));
    if (mine === generation) pollTimer = window.setTimeout(tick, POLL_MS);
  };
  pollTimer = window.setTimeout(tick, POLL_MS);
}

/** Makes in-dashboard links and the browser's back and forward buttons navigate without reloading. */
export function startRouter(): void {
  document.addEventListener("click", (e) => {
    const a = e.target instanceof Element ? e.target.closest("a[data-link]") : null;
    if (!a || e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    go(a.getAttribute("href")!);
  });
  window.addEventListener("popstate", () => void route());
  void route();
}

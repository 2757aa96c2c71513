/**
 * Building the page: elements with attributes, handlers and children, and the small pieces every
 * page shows. Text is always set with text nodes, never parsed as HTML.
 * @module
 */

/** What an element's children may be: nodes, text, nested lists; null, undefined and false add nothing. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

/** A handler for an `on*` attribute. */
type Handler = (event: Event) => unknown;

/** Attributes: class, style, on* handlers, element properties and plain attributes; empty values are left out. */
export type Attrs = Record<string, string | number | boolean | null | undefined | Handler>;

/** Builds an element: attrs may hold class, on* handlers, and plain attributes; children nest. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") {
      if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    } else if (key === "class") el.className = String(value);
    else if (key === "style") el.setAttribute("style", String(value));
    // A property the element has (value, checked, selected, hidden, ...); `list` is read-only.
    else if (key in el && key !== "list") (el as unknown as Record<string, unknown>)[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children to an element. */
export function append(el: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill<E extends ParentNode & Node>(el: E, ...children: Child[]): E {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** An in-dashboard link that navigates without reloading. */
export function link(href: string, ...children: Child[]): HTMLAnchorElement {
  return h("a", { href, "data-link": "1" }, ...children);
}

/** A status badge. */
export function pill(status: string): HTMLSpanElement {
  return h("span", { class: "pill " + status }, status);
}

/** A small label, optionally with an extra class. */
export function tag(text: string, cls?: string): HTMLSpanElement {
  return h("span", { class: "tag" + (cls ? " " + cls : "") }, text);
}

/** A value shown as indented JSON. */
export function jsonBlock(value: unknown): HTMLPreElement {
  return h("pre", { class: "json" }, value === undefined ? "" : JSON.stringify(value, null, 2));
}

/** The box a list shows when it has nothing to show, with what to do about it. */
export function empty(title: string, ...body: Child[]): HTMLDivElement {
  return h("div", { class: "empty" }, h("h3", null, title), ...body);
}

/** A placeholder shown while a page's data loads. */
export function loading(text?: string): HTMLDivElement {
  return h("div", { class: "loading", role: "status" }, h("span", { class: "spinner" }), text || "Loading…");
}

/** Inline code. */
export function code(text: string): HTMLElement {
  return h("code", null, text);
}

/** The message of something thrown, for the reader. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

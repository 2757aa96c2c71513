/**
 * Which Service Binding serves an app URL, from the `STEPFLARE_APP_BINDINGS` Worker variable:
 * comma-separated `<URL prefix>=<BINDING>` pairs, e.g.
 * `https://shop.example.com=SHOP, https://example.com/billing=BILLING`.
 *
 * Cloudflare refuses a Worker's `fetch` to another Worker of the same account (error 1042), so
 * an app that is a Worker is reached through a binding instead of its URL. The URL stays the
 * app's identity (what it syncs as, what the dashboard shows); the binding only carries the bytes.
 * @module
 */
import { z } from "zod";

/** One configured prefix and the binding that serves every app URL under it. */
export interface AppBinding {
  /** `scheme://host[:port]` of the prefix. */
  origin: string;
  /** The prefix's path without a trailing slash; empty for a whole origin. */
  path: string;
  binding: string;
}

/** A Worker binding name as wrangler accepts it (a JavaScript identifier). */
const BINDING_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** One `<URL prefix>=<BINDING>` pair; the URL may itself contain `=` only in a query, which is refused. */
function parseEntry(entry: string, ctx: z.RefinementCtx): AppBinding | undefined {
  const eq = entry.lastIndexOf("=");
  const prefix = eq < 0 ? "" : entry.slice(0, eq).trim();
  const binding = eq < 0 ? "" : entry.slice(eq + 1).trim();
  if (!prefix || !binding) {
    ctx.addIssue({ code: "custom", message: `"${entry}" is not <URL prefix>=<BINDING>` });
    return undefined;
  }
  if (!BINDING_NAME.test(binding)) {
    ctx.addIssue({ code: "custom", message: `"${binding}" is not a binding name (letters, digits and _)` });
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(prefix);
  } catch {
    ctx.addIssue({ code: "custom", message: `"${prefix}" is not an absolute URL` });
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    ctx.addIssue({ code: "custom", message: `"${prefix}" is not an http(s) URL` });
    return undefined;
  }
  if (url.search || url.hash || url.username || url.password) {
    ctx.addIssue({ code: "custom", message: `"${prefix}" must be an origin or origin and path, without query, fragment or credentials` });
    return undefined;
  }
  return { origin: url.origin, path: url.pathname.replace(/\/+$/, ""), binding };
}

/** The variable's value, parsed into prefixes ordered longest first (so the most specific wins). */
export const appBindingsSchema = z.string().transform((value, ctx) => {
  const bindings: AppBinding[] = [];
  const seen = new Set<string>();
  for (const entry of value
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)) {
    const parsed = parseEntry(entry, ctx);
    if (!parsed) continue;
    const key = parsed.origin + parsed.path;
    if (seen.has(key)) ctx.addIssue({ code: "custom", message: `"${key}" is listed twice` });
    seen.add(key);
    bindings.push(parsed);
  }
  return bindings.sort((a, b) => b.path.length - a.path.length);
});

/** The parsed setting, or the reason it is invalid (named after the variable, to say what to fix). */
export type AppBindingsSetting = { ok: true; bindings: AppBinding[] } | { ok: false; error: string };

/** Parses `STEPFLARE_APP_BINDINGS`; unset or empty means no app is served by a binding. */
export function parseAppBindings(value: unknown): AppBindingsSetting {
  if (value === undefined || value === null) return { ok: true, bindings: [] };
  const parsed = appBindingsSchema.safeParse(value);
  if (parsed.success) return { ok: true, bindings: parsed.data };
  const reasons = parsed.error.issues.map((issue) => issue.message).join("; ");
  return {
    ok: false,
    error: `STEPFLARE_APP_BINDINGS is invalid: ${reasons}; expected comma-separated <URL prefix>=<BINDING> pairs, e.g. "https://my-app.example.com=MY_APP"`,
  };
}

/**
 * The binding that serves `appUrl`: the longest prefix with the same origin whose path is the
 * URL's path or a parent of it on a `/` boundary (`/api` covers `/api/inngest`, not `/apix`).
 */
export function bindingFor(bindings: readonly AppBinding[], appUrl: string): string | undefined {
  const url = new URL(appUrl);
  const path = url.pathname;
  const match = bindings.find((b) => b.origin === url.origin && (b.path === "" || path === b.path || path.startsWith(`${b.path}/`)));
  return match?.binding;
}

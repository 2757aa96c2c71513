/**
 * Where a browser request came from. Browsers mark every request with `Sec-Fetch-Site` and send
 * `Origin` on changing requests; the SDK, curl and server-side callers send neither, so requests
 * without them are not from a web page and are never refused here.
 * @module
 */
import type { Context } from "hono";

/** Methods that change nothing; a page may send them anywhere, as links and images do. */
export const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Names of this machine that browsers treat as separate sites but that all reach the dev server. */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

function sameHost(a: string, b: string): boolean {
  return a === b || (LOOPBACK_HOSTS.has(a) && LOOPBACK_HOSTS.has(b));
}

/** Whether a browser sent this request from a page of another origin (scheme, host and port). */
export function isCrossOrigin(c: Context): boolean {
  const origin = c.req.header("Origin");
  return origin !== undefined && origin !== new URL(c.req.url).origin;
}

/**
 * Whether a browser sent this request from a page of another site: `Sec-Fetch-Site: cross-site`,
 * or, from a browser that does not send that header, an `Origin` on another host (`null` for
 * sandboxed frames and local files counts as another host). Pages on this machine's other ports
 * (the app under development) are the same site.
 */
export function isCrossSite(c: Context): boolean {
  const fetchSite = c.req.header("Sec-Fetch-Site");
  if (fetchSite !== undefined) return fetchSite === "cross-site";
  const origin = c.req.header("Origin");
  if (origin === undefined) return false;
  if (!URL.canParse(origin)) return true;
  return !sameHost(new URL(origin).hostname, new URL(c.req.url).hostname);
}

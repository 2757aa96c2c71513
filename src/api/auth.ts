/**
 * The one gate in front of the REST API and the dashboard in production mode (a signing key is
 * set): API callers send the signing key as a bearer token, raw or hashed as the SDK sends it;
 * people log in once and carry a session cookie. Dev mode lets every caller through, as Inngest's
 * dev server does, except changes sent by another site's page. The SDK-facing routes keep their
 * own rules: `/e/:key` checks event keys, `/fn/register` the hashed key, realtime subscriptions
 * (`/v1/realtime/connect`, `/v1/realtime/sse`) their subscription token, `/health` and `/dev`
 * are public.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { Env } from "../env";
import { isProduction, signingKeys } from "../mode";
import { isAuthorizedSdkBearer } from "../protocol/signing";
import { isCrossOrigin, isCrossSite, SAFE_METHODS } from "./origin";
import { fail } from "./respond";
import { SESSION_COOKIE, verifySession } from "../dashboard/session";

/** Realtime subscriptions check their own subscription token: browsers hold no signing key. */
const REALTIME_SUBSCRIBE_PATHS = ["/v1/realtime/connect", "/v1/realtime/sse"];
/** Routes that answer without this gate: they authenticate themselves or hold nothing private. */
const OPEN_EXACT = new Set(["/health", "/dev", "/login", "/logout", "/favicon.ico", ...REALTIME_SUBSCRIBE_PATHS]);
/** `/_dashboard/` serves only the dashboard's static script and styles, which the login page needs. */
const OPEN_PREFIXES = ["/e/", "/fn/", "/_dashboard/"];

const API_PREFIXES = ["/v0/", "/v1/", "/api/v2/", "/mcp"];

const CROSS_SITE_REFUSED =
  "cross-site request refused: a page of another site may not change anything on this dev server " +
  "(requests without an Origin header, as the SDK and curl send them, are accepted)";

const API_UNAUTHORIZED = "send `Authorization: Bearer <INNGEST_SIGNING_KEY or its hashed form>`, or log in to the dashboard at /login";

/** A durable endpoint's output: its caller holds the run's output token instead (endpoint-routes.ts). */
const ENDPOINT_OUTPUT = /^\/v1\/http\/runs\/[^/]+\/output$/;

function isOpen(path: string): boolean {
  return OPEN_EXACT.has(path) || OPEN_PREFIXES.some((p) => path.startsWith(p)) || ENDPOINT_OUTPUT.test(path);
}

/** Guards every route but the open ones in production mode; see the module comment. */
export const requireAuth: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const path = new URL(c.req.url).pathname;
  if (!isProduction(c.env)) {
    // Dev mode trusts every caller, so another site's page must not be able to post here (a
    // `text/plain` form or fetch needs no CORS permission): it could send events, sync an app
    // URL of its choosing or cancel runs on the developer's machine.
    if (!SAFE_METHODS.has(c.req.method) && isCrossSite(c)) return fail(c, 403, CROSS_SITE_REFUSED);
    return next();
  }
  if (isOpen(path)) return next();
  const keys = signingKeys(c.env);
  const authorization = c.req.header("Authorization");
  if (authorization && (await isAuthorizedSdkBearer(authorization, keys))) return next();

  const session = getCookie(c, SESSION_COOKIE);
  if (session && (await verifySession(session, keys, Date.now()))) {
    // A session cookie only authorises changes requested by the dashboard's own pages.
    if (!SAFE_METHODS.has(c.req.method) && isCrossOrigin(c)) return fail(c, 403, "cross-origin request refused");
    return next();
  }

  if (API_PREFIXES.some((p) => path.startsWith(p)) || c.req.method !== "GET") return fail(c, 401, API_UNAUTHORIZED);
  const url = new URL(c.req.url);
  return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`);
};

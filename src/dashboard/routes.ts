/**
 * The dashboard, served by the Worker itself: one HTML shell for every page path, its script and
 * stylesheet, and the production-mode login. The script is the bundle of src/dashboard/client.
 * @module
 */
import { type Context, Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { MAX_LOGIN_BODY_BYTES, SESSION_TTL_MS } from "../constants";
import { createSession, sameSiteNext, SESSION_COOKIE } from "./session";
import type { Env } from "../env";
import { isProduction, signingKeys } from "../mode";
import { isAuthorizedSdkBearer } from "../protocol/signing";
import { DASHBOARD_JS } from "./client-bundle";
import { readLoginForm } from "./login-form";
import { loginPage, shellPage } from "./pages";
import { STYLES } from "./styles";
import { UPLOT_JS } from "./vendor/uplot";

/** Dashboard routes; mount at the root of the Worker's Hono app, behind the auth middleware. */
export const dashboardRoutes = new Hono<{ Bindings: Env }>();

/** Paths the client script renders; each gets the same shell. */
const PAGE_PATHS = ["/", "/runs", "/runs/:runId", "/events", "/events/:eventId", "/functions", "/apps", "/metrics", "/metrics/:functionId"];

/** Assets change with the deployed code only; revalidating keeps a redeploy visible at once. */
const ASSET_CACHE = "no-cache";

/**
 * Pages run only the dashboard's own script and cannot be framed, so injected markup cannot run
 * code and another site cannot trick a logged-in user into clicking "Cancel run".
 */
const PAGE_HEADERS = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "Cache-Control": "no-store",
};

function mode(c: Context<{ Bindings: Env }>): "dev" | "production" {
  return isProduction(c.env) ? "production" : "dev";
}

for (const path of PAGE_PATHS) {
  dashboardRoutes.get(path, (c) => c.html(shellPage(mode(c)), 200, PAGE_HEADERS));
}

dashboardRoutes.get("/_dashboard/app.js", (c) => c.body(DASHBOARD_JS, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": ASSET_CACHE }));

dashboardRoutes.get("/_dashboard/uplot.js", (c) => c.body(UPLOT_JS, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": ASSET_CACHE }));

dashboardRoutes.get("/_dashboard/app.css", (c) => c.body(STYLES, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": ASSET_CACHE }));

// Browsers ask for it on every page; answering keeps their consoles free of 404s.
dashboardRoutes.get("/favicon.ico", (c) => c.body(null, 204));

dashboardRoutes.get("/login", (c) => {
  if (!isProduction(c.env)) return c.redirect("/");
  return c.html(loginPage(sameSiteNext(c.req.query("next")), null), 200, PAGE_HEADERS);
});

/** Whether a request's Accept header asks for an HTML page, as a browser's navigation does. */
function acceptsHtml(accept: string | undefined): boolean {
  return accept !== undefined && /\btext\/html\b/i.test(accept);
}

const loginForm = z.object({ key: z.string().trim().min(1), next: z.string().optional() });

dashboardRoutes.post("/login", async (c) => {
  if (!isProduction(c.env)) return c.redirect("/");
  const body = await readLoginForm(c.req.raw);
  if (body === null) return c.json({ error: `login form is over ${MAX_LOGIN_BODY_BYTES} bytes`, status: 413 }, 413);
  const form = loginForm.safeParse(Object.fromEntries(body));
  const next = sameSiteNext(form.success ? form.data.next : undefined);
  const keys = signingKeys(c.env);
  if (!form.success || !(await isAuthorizedSdkBearer(`Bearer ${form.data.key}`, keys))) {
    const problem = "That is not this server's signing key.";
    // A browser's form post gets the page again with the problem; any other client a JSON error.
    if (acceptsHtml(c.req.header("accept"))) return c.html(loginPage(next, problem), 401, PAGE_HEADERS);
    return c.json({ error: problem, status: 401 }, 401);
  }
  const expiresAt = Date.now() + SESSION_TTL_MS;
  setCookie(c, SESSION_COOKIE, await createSession(keys[0]!, expiresAt), {
    httpOnly: true,
    sameSite: "Strict",
    secure: new URL(c.req.url).protocol === "https:",
    path: "/",
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
  return c.redirect(next, 303);
});

dashboardRoutes.post("/logout", (c) => {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
  return c.redirect(isProduction(c.env) ? "/login" : "/", 303);
});

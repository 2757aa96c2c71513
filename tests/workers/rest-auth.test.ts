/**
 * Production mode's one gate in front of the REST API and dashboard: the signing key as bearer
 * (raw or hashed) for API calls, a login that sets an HttpOnly session cookie for people, and the
 * SDK-facing routes left to their own rules.
 */
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { app } from "../../src/api/app";
import { hashSigningKey } from "../../src/protocol/signing";
import { SCHEDULER_NAME } from "../../src/cron/heartbeat";

const KEY = "signkey-prod-0123456789abcdef0123456789abcdef";
const FALLBACK = "signkey-prod-fedcba9876543210fedcba9876543210";
const PROD = { ...env, INNGEST_SIGNING_KEY: KEY, INNGEST_SIGNING_KEY_FALLBACK: FALLBACK, INNGEST_EVENT_KEY: "ek" };
const ORIGIN = "https://stepflare.example";

afterAll(async () => {
  await runInDurableObject(env.SCHEDULER.getByName(SCHEDULER_NAME), (_instance, state) => state.storage.deleteAlarm());
});

/** A request to the Worker in production mode. */
async function prod(path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`${ORIGIN}${path}`, { redirect: "manual", ...init }), PROD, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** Logs in with `key`; returns the response and the session cookie it set, if any. */
async function login(key: string, headers: Record<string, string> = {}, next = "/runs") {
  const res = await prod("/login", { method: "POST", headers, body: new URLSearchParams({ key, next }) });
  const cookie = /stepflare_session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")?.[0];
  return { res, cookie };
}

describe("the REST API in production mode", () => {
  it("refuses a request without the signing key with a JSON 401", async () => {
    for (const path of ["/v1/events", "/v0/runs", "/v0/apps", "/api/v2/runs", "/mcp"]) {
      const res = await prod(path);
      expect(res.status, path).toBe(401);
      expect(await res.json()).toEqual({ status: 401, error: expect.stringContaining("Authorization: Bearer") });
    }
    expect((await prod("/v1/events", { headers: { Authorization: "Bearer signkey-prod-wrong" } })).status).toBe(401);
    for (const path of ["/v0/gql", "/mcp", "/api/v2/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV/cancel"]) {
      expect((await prod(path, { method: "POST", body: "{}" })).status, path).toBe(401);
    }
  });

  it("lets the signing key through to the REST API v2, GraphQL and MCP", async () => {
    const auth = { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" };
    expect((await prod("/api/v2/apps", { headers: auth })).status).toBe(200);
    expect((await prod("/v0/gql", { method: "POST", headers: auth, body: JSON.stringify({ query: "{ functions { id } }" }) })).status).toBe(200);
    const list = await prod("/mcp", {
      method: "POST",
      headers: { ...auth, Accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { result: { tools: unknown[] } }).result.tools.length).toBeGreaterThan(0);
  });

  it("accepts the signing key as bearer, raw or hashed, primary or fallback", async () => {
    for (const token of [KEY, await hashSigningKey(KEY), FALLBACK, await hashSigningKey(FALLBACK)]) {
      const res = await prod("/v1/events?limit=1", { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
    }
  });

  it("leaves the SDK's routes and the health check to their own rules", async () => {
    expect((await prod("/health")).status).toBe(200);
    expect((await prod("/e/ek", { method: "POST", body: JSON.stringify({ name: "auth/ping" }) })).status).toBe(200);
    // Not this gate's 401: the register route answers with its own SDK-facing message.
    const register = await prod("/fn/register", { method: "POST", body: "{}" });
    expect(register.status).toBe(401);
    expect(((await register.json()) as { error: string }).error).toMatch(/must send this server's INNGEST_SIGNING_KEY/);
  });
});

describe("the dashboard in production mode", () => {
  it("sends a visitor without a session to the login page, keeping where they were going", async () => {
    const res = await prod("/runs/01ABC?x=1");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`/login?next=${encodeURIComponent("/runs/01ABC?x=1")}`);
    const page = await prod("/login?next=/events");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="next" value="/events"');
  });

  it("refuses a wrong key at login without setting a cookie: the page again for a browser, JSON otherwise", async () => {
    const { res, cookie } = await login("signkey-prod-nope", { Accept: "text/html,application/xhtml+xml" });
    expect(res.status).toBe(401);
    expect(cookie).toBeUndefined();
    expect(await res.text()).toContain("not this server&#39;s signing key");
    const plain = await login("signkey-prod-nope");
    expect(plain.res.status).toBe(401);
    expect(plain.cookie).toBeUndefined();
    expect(await plain.res.json()).toEqual({ status: 401, error: "That is not this server's signing key." });
  });

  it("logs in with the signing key: an HttpOnly, SameSite=Strict session that opens pages and the API", async () => {
    const { res, cookie } = await login(KEY, {}, "/events");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/events");
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Secure/i);
    expect(setCookie).not.toContain(KEY.slice("signkey-prod-".length));

    const headers = { Cookie: cookie! };
    expect((await prod("/runs", { headers })).status).toBe(200);
    expect((await prod("/v0/runs", { headers })).status).toBe(200);
    // The sync routes check the bearer themselves; the session stands in for it.
    expect((await prod("/v0/apps", { headers })).status).toBe(200);
  });

  it("accepts the hashed key at login, and never redirects off-site after it", async () => {
    const { res } = await login(await hashSigningKey(KEY), {}, "//evil.example/x");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
  });

  it("refuses a changing request carried by the session from another origin", async () => {
    const { cookie } = await login(KEY);
    const body = JSON.stringify({ name: "auth/x" });
    const foreign = await prod("/v0/events", { method: "POST", body, headers: { Cookie: cookie!, Origin: "https://evil.example" } });
    expect(foreign.status).toBe(403);
    const own = await prod("/v0/events", { method: "POST", body, headers: { Cookie: cookie!, Origin: ORIGIN } });
    expect(own.status).toBe(200);
  });

  it("rejects a tampered or expired session", async () => {
    const { cookie } = await login(KEY);
    const [name, value] = cookie!.split("=") as [string, string];
    const [expires, mac] = value.split(".") as [string, string];
    const tampered = `${name}=${Number(expires) + 1000}.${mac}`;
    expect((await prod("/v0/runs", { headers: { Cookie: tampered } })).status).toBe(401);
    const expired = `${name}=1.${mac}`;
    expect((await prod("/v0/runs", { headers: { Cookie: expired } })).status).toBe(401);
  });

  it("logs out by clearing the cookie", async () => {
    const res = await prod("/logout", { method: "POST" });
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toMatch(/stepflare_session=;.*Max-Age=0/i);
  });
});

describe("the dashboard in dev mode", () => {
  it("serves pages and the API without a login, and the login page sends you home", async () => {
    const ctx = createExecutionContext();
    const page = await app.fetch(new Request(`${ORIGIN}/functions`), env, ctx);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<script src="/_dashboard/app.js"></script>');
    expect(page.headers.get("content-security-policy")).toMatch(/script-src 'self';.*frame-ancestors 'none'/);
    const login = await app.fetch(new Request(`${ORIGIN}/login`, { redirect: "manual" }), env, ctx);
    expect(login.status).toBe(302);
    await waitOnExecutionContext(ctx);
  });
});

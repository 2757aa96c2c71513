/**
 * Hostile input at the Worker's edges (issue 8): the outbound policy at sync in production mode,
 * sync errors that do not repeat what a non-SDK target answered, names that cannot be stored,
 * unexpected errors that reveal nothing, the login's `next`, out-of-range times and cross-site
 * changes in dev mode. Every refusal is a 4xx JSON error naming the problem.
 */
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../../src/api/app";
import { MAX_FUNCTION_NAME_LENGTH } from "../../src/constants";
import type { Env } from "../../src/env";
import { SCHEDULER_NAME } from "../../src/cron/heartbeat";
import { getApp } from "../../src/sync/store";
import { gatewayFor } from "../../src/runner/gateway";

const KEY = "signkey-prod-0123456789abcdef0123456789abcdef";
const PROD: Env = { ...env, INNGEST_SIGNING_KEY: KEY, INNGEST_EVENT_KEY: "ek" };
const PROD_ALLOWING_PRIVATE: Env = { ...PROD, STEPFLARE_ALLOW_PRIVATE_URLS: "true" };
const ORIGIN = "https://stepflare.example";
const BEARER = { Authorization: `Bearer ${KEY}` };

afterAll(async () => {
  await runInDurableObject(env.SCHEDULER.getByName(SCHEDULER_NAME), (_instance, state) => state.storage.deleteAlarm());
});
afterEach(() => vi.restoreAllMocks());

/** A request to the whole Worker app with `bindings`. */
async function call(path: string, init: RequestInit = {}, bindings: Env = env): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`${ORIGIN}${path}`, { redirect: "manual", ...init }), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function json(res: Response): Promise<{ status: number; body: { error: string; status: number } }> {
  return { status: res.status, body: (await res.json()) as { error: string; status: number } };
}

function postJson(path: string, body: unknown, bindings: Env, headers: Record<string, string> = {}) {
  const init = { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) };
  return call(path, init, bindings);
}

function fn(id: string, stepUrl: string, extra: Record<string, unknown> = {}) {
  return { id, name: id, triggers: [{ event: "hostile/x" }], steps: { step: { id: "step", name: "step", runtime: { type: "http", url: stepUrl } } }, ...extra };
}

function registerBody(appName: string, url: string, functions: unknown[]) {
  return { url, deployType: "ping", framework: "edge", appName, sdk: "js:v4.24.0", v: "0.1", functions };
}

/** The SDK's register call: the hashed key in production, none in dev. */
async function register(body: unknown, bindings: Env) {
  const { hashSigningKey } = await import("../../src/protocol/signing");
  const auth: Record<string, string> = bindings.INNGEST_SIGNING_KEY ? { Authorization: `Bearer ${await hashSigningKey(bindings.INNGEST_SIGNING_KEY)}` } : {};
  return json(await postJson("/fn/register", body, bindings, auth));
}

describe("the outbound policy at sync", () => {
  it("refuses to sync a loopback app URL in production mode, without sending a request", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    for (const url of ["http://127.0.0.1:3000/api/inngest", "http://2130706433/api/inngest", "http://localhost/api/inngest", "http://169.254.169.254/"]) {
      const res = await json(await postJson("/v0/apps/sync", { url }, PROD, BEARER));
      expect(res.status, url).toBe(400);
      expect(res.body).toEqual({
        status: 400,
        error: expect.stringMatching(/^url: http:\/\/\S+ is a (loopback|link-local) address.*STEPFLARE_ALLOW_PRIVATE_URLS=true/),
      });
    }
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it("syncs a loopback app URL in dev mode and with STEPFLARE_ALLOW_PRIVATE_URLS=true", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("connection refused"));
    for (const bindings of [env, PROD_ALLOWING_PRIVATE]) {
      const res = await json(await postJson("/v0/apps/sync", { url: "http://127.0.0.1:3000/api/inngest" }, bindings, BEARER));
      // Allowed: the server tried to reach it (and nobody listens in this test).
      expect(res.status).toBe(422);
      expect(res.body.error).toMatch(/^could not reach the app at http:\/\/127\.0\.0\.1:3000\/api\/inngest;/);
    }
    expect(fetchSpy).toHaveBeenCalledTimes(2);
  });

  it("refuses a registered app URL or step URL on a private address in production mode, naming the field", async () => {
    const publicUrl = "https://app.example/api/inngest";
    const privateApp = await register(registerBody("hostile-a", "http://10.0.0.5/api/inngest", [fn("hostile-a-f", publicUrl)]), PROD);
    expect(privateApp).toEqual({
      status: 400,
      body: { status: 400, error: expect.stringMatching(/^url: http:\/\/10\.0\.0\.5\/api\/inngest is a private network address/) },
    });

    const privateStep = await register(registerBody("hostile-b", publicUrl, [fn("hostile-b-f", "http://[::ffff:127.0.0.1]/x")]), PROD);
    expect(privateStep).toEqual({
      status: 400,
      body: {
        status: 400,
        error: expect.stringMatching(/^function "hostile-b-f": steps\.step\.runtime\.url: http:\/\/\[::ffff:7f00:1\]\/x is a loopback address/),
      },
    });

    expect((await register(registerBody("hostile-c", publicUrl, [fn("hostile-c-f", publicUrl)]), PROD)).status).toBe(200);
    expect((await register(registerBody("hostile-d", "http://127.0.0.1/x", [fn("hostile-d-f", "http://127.0.0.1/x")]), PROD_ALLOWING_PRIVATE)).status).toBe(
      200,
    );
    expect((await register(registerBody("hostile-e", "http://127.0.0.1/x", [fn("hostile-e-f", "http://127.0.0.1/x")]), env)).status).toBe(200);
  });

  it("refuses an in-band answer that reports a private URL in production mode", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      Response.json(
        { app_id: "hostile-inband", url: "http://192.168.0.10/api/inngest", functions: [fn("hostile-inband-f", "http://192.168.0.10/api/inngest")] },
        { headers: { "X-Inngest-Sync-Kind": "in_band" } },
      ),
    );
    const res = await json(await postJson("/v0/apps/sync", { url: "https://app.example/api/inngest" }, PROD, BEARER));
    expect(res).toEqual({
      status: 400,
      body: { status: 400, error: expect.stringMatching(/^the app's answer: url: http:\/\/192\.168\.0\.10\/api\/inngest is a private network address/) },
    });
    expect(await getApp(env.DB, "hostile-inband")).toBeNull();
  });
});

describe("step.fetch under the outbound policy", () => {
  const local = { url: "http://127.0.0.1:9000/admin", method: "GET", headers: {} };
  const noReplay = () => Promise.reject(new Error("a step.fetch never replays the function"));

  it("fails the step in production mode without a request", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const outcome = await gatewayFor(PROD).perform("s1", local, noReplay);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(outcome).toMatchObject({
      kind: "ops",
      noRetry: true,
      ops: [{ op: "StepError", error: { name: "PrivateUrlRefused", code: "private_url_refused" } }],
    });
  });

  it("makes the request in dev mode and with the setting", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("hello"));
    for (const bindings of [env, PROD_ALLOWING_PRIVATE]) {
      expect(await gatewayFor(bindings).perform("s1", local, noReplay)).toMatchObject({ ops: [{ op: "StepRun", data: { status_code: 200, body: "hello" } }] });
    }
    expect(fetchSpy).toHaveBeenCalledTimes(2);
  });
});

describe("sync errors", () => {
  it("do not repeat the status or body of a target that is not an Inngest SDK", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("internal admin panel: token=abc123", { status: 418 }));
    const res = await json(await postJson("/v0/apps/sync", { url: "https://intranet.example/admin" }, PROD, BEARER));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatch(/did not answer the sync as an Inngest SDK/);
    expect(res.body.error).not.toMatch(/418|admin panel|abc123/);
  });

  it("do not say why a target could not be reached", async () => {
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("connect ECONNREFUSED 203.0.113.7:6379"));
    const res = await json(await postJson("/v0/apps/sync", { url: "https://cache.example/" }, PROD, BEARER));
    expect(res.status).toBe(422);
    expect(res.body.error).not.toMatch(/ECONNREFUSED|6379|203\.0\.113/);
  });

  it("refuse a redirect to a private address in production mode", async () => {
    const fetchSpy = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation(async () => new Response(null, { status: 307, headers: { Location: "http://127.0.0.1:8288/v0/apps" } }));
    const res = await json(await postJson("/v0/apps/sync", { url: "https://redirector.example/" }, PROD, BEARER));
    expect(res.status).toBe(422);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
  });
});

describe("names a sync cannot store", () => {
  const url = "https://names.example/api/inngest";

  it("refuses a lone surrogate in a function name or id, or in the app id, naming the field", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [registerBody("names-a", url, [fn("names-a-f", url, { name: "bad\uD800name" })]), /^function "names-a-f": name: contains a lone UTF-16 surrogate/],
      [registerBody("names-b", url, [fn("names-b-\uDC00", url)]), /functions\[0\]|function "names-b-.*": id: contains a lone UTF-16 surrogate/],
      [registerBody("names-\uD83D", url, [fn("names-c-f", url)]), /^appName: contains a lone UTF-16 surrogate/],
      [registerBody("names-d", url, [fn("names-d-f", url, { triggers: [{ event: "x/\uDFFF" }] })]), /triggers\[0\]\.event: contains a lone UTF-16 surrogate/],
    ];
    for (const [body, error] of cases) {
      const res = await register(body, env);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(error);
    }
  });

  it("refuses an over-long function name with a 400 naming it, and a 20 MB one with a 413", async () => {
    const long = await register(registerBody("names-long", url, [fn("names-long-f", url, { name: "n".repeat(1_000_000) })]), env);
    expect(long.status).toBe(400);
    expect(long.body.error).toMatch(new RegExp(`^function "names-long-f": name: at most ${MAX_FUNCTION_NAME_LENGTH} characters`));
    expect(long.body.error.length).toBeLessThan(2_000);

    const huge = await register(registerBody("names-huge", url, [fn("names-huge-f", url, { name: "n".repeat(20_000_000) })]), env);
    expect(huge).toEqual({ status: 413, body: { status: 413, error: expect.stringMatching(/^request body is .*; the limit is \d+ bytes$/) } });
  });

  it("refuses an over-long function id without repeating it whole", async () => {
    const id = `names-${"i".repeat(100_000)}`;
    const res = await register(registerBody("names-id", url, [fn(id, url)]), env);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/: id: at most \d+ characters/);
    expect(res.body.error.length).toBeLessThan(2_000);
  });
});

describe("unexpected errors", () => {
  it("answer 500 with a reference and nothing of the cause, on the API and on the sync routes", async () => {
    const broken = {
      ...env,
      DB: {
        prepare() {
          throw new Error("D1_ERROR: no such table: secret_internal_table");
        },
      } as unknown as D1Database,
    };
    vi.spyOn(console, "error").mockImplementation(() => {});
    for (const path of ["/v0/apps", "/v1/events"]) {
      const res = await json(await call(path, {}, broken));
      expect(res.status, path).toBe(500);
      expect(res.body).toEqual({ status: 500, error: expect.stringMatching(/^internal error \(reference [0-9a-f-]{36}\); see the server log$/) });
    }
  });
});

describe("the login's next", () => {
  async function login(next: string) {
    const res = await call("/login", { method: "POST", body: new URLSearchParams({ key: KEY, next }) }, PROD);
    return { status: res.status, location: res.headers.get("location") };
  }

  it("follows only paths on this site, and never fails", async () => {
    const cases: Array<[string, string]> = [
      ["/runs?status=failed#top", "/runs?status=failed#top"],
      ["/\t/evil.example", "/"],
      ["/\n/evil.example", "/"],
      ["/runs\r\nSet-Cookie: x=y", "/"],
      ["//evil.example", "/"],
      ["/\\evil.example", "/"],
      ["/runs\\..\\x", "/"],
      ["https://evil.example/", "/"],
      ["javascript:alert(1)", "/"],
      ["/caf\u00e9 x", "/caf%C3%A9%20x"],
      ["/\uD800", "/%EF%BF%BD"],
    ];
    for (const [next, location] of cases) expect(await login(next), JSON.stringify(next)).toEqual({ status: 303, location });
  });

  it("renders the login page for a hostile next without failing", async () => {
    const res = await call(`/login?next=${encodeURIComponent("/\r\n<script>x</script>")}`, {}, PROD);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="next" value="/"');
  });
});

describe("times in queries", () => {
  it("refuse negative, malformed and out-of-range times with a 400 naming the parameter", async () => {
    const cases: Array<[string, string]> = [
      ["/v1/events?received_after=-1", "received_after"],
      ["/v1/events?received_before=99999999999999999", "received_before"],
      ["/v1/events?received_after=-000001-01-01T00:00:00Z", "received_after"],
      ["/v1/events?received_after=%2B010000-01-01T00:00:00Z", "received_after"],
      ["/v0/runs?after=-1", "after"],
      ["/v0/runs?before=1.5", "before"],
      ["/v0/events?after=-86400000", "after"],
    ];
    for (const [path, param] of cases) {
      const res = await json(await call(path));
      expect(res.status, path).toBe(400);
      expect(res.body.error, path).toMatch(new RegExp(`^${param}: `));
    }
    const cancel = await json(await postJson("/v1/cancellations", { app_id: "a", function_id: "f", started_before: "-1" }, env));
    expect(cancel).toEqual({ status: 400, body: { status: 400, error: expect.stringMatching(/^started_before: /) } });
    const huge = await json(
      await postJson("/v1/cancellations", { app_id: "a", function_id: "f", started_after: "99999999999999999", started_before: "2020-01-01T00:00:00Z" }, env),
    );
    expect(huge).toEqual({ status: 400, body: { status: 400, error: expect.stringMatching(/^started_after: .*out of range/) } });
  });

  it("still accept RFC 3339 and ms since the epoch", async () => {
    expect((await call("/v1/events?received_after=2026-01-02T15:04:05Z&received_before=1767366245000")).status).toBe(200);
    expect((await call("/v0/runs?after=0")).status).toBe(200);
  });
});

describe("cross-site changes in dev mode", () => {
  const event = JSON.stringify({ name: "hostile/csrf" });

  it("are refused with a 403 JSON error, whatever the route", async () => {
    const crossSite: Record<string, string>[] = [
      { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site", "Content-Type": "text/plain" },
      // A browser without Sec-Fetch-Site still sends Origin on a POST.
      { Origin: "https://evil.example", "Content-Type": "text/plain" },
      { Origin: "null", "Content-Type": "text/plain" },
    ];
    for (const headers of crossSite) {
      for (const [method, path] of [
        ["POST", "/e/any-key"],
        ["POST", "/v0/events"],
        ["POST", "/v0/apps/sync"],
        ["POST", "/fn/register"],
        ["DELETE", "/v1/runs/01ABC"],
      ] as const) {
        const res = await json(await call(path, { method, headers, body: method === "POST" ? event : undefined }));
        expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(res.body.error).toMatch(/^cross-site request refused/);
      }
    }
  });

  it("are accepted from the dashboard, from pages on this machine and from callers that send no Origin", async () => {
    const accepted: Record<string, string>[] = [
      {},
      { "Sec-Fetch-Site": "same-origin", Origin: ORIGIN },
      { Origin: ORIGIN },
      { "Sec-Fetch-Site": "same-site", Origin: "https://app.stepflare.example" },
      { "Sec-Fetch-Site": "none" },
    ];
    for (const headers of accepted) {
      const res = await call("/e/any-key", { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: event });
      expect(res.status, JSON.stringify(headers)).toBe(200);
    }
    // The app under development on another port of this machine.
    const local = new Request("http://127.0.0.1:8288/e/any-key", { method: "POST", headers: { Origin: "http://localhost:3000" }, body: event });
    const ctx = createExecutionContext();
    expect((await app.fetch(local, env, ctx)).status).toBe(200);
    await waitOnExecutionContext(ctx);
  });

  it("reads are not refused", async () => {
    expect((await call("/v0/apps", { headers: { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" } })).status).toBe(200);
  });
});

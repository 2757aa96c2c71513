import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Inngest } from "inngest";
import { serve } from "inngest/cloudflare";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import { hashSigningKey } from "../../src/protocol/signing";
import { app } from "../../src/api/app";
import { syncRoutes } from "../../src/api/sync-routes";
import { getApp, listFunctions } from "../../src/sync/store";
import { MAX_EXPRESSION_LENGTH } from "../../src/constants";

const APP_URL = "http://app.test/api/inngest";
const SIGNING_KEY = "signkey-test-0123456789abcdef0123456789abcdef";
const FALLBACK_KEY = "signkey-test-fedcba9876543210fedcba9876543210";
const PROD_ENV = { ...env, INNGEST_SIGNING_KEY: SIGNING_KEY, INNGEST_SIGNING_KEY_FALLBACK: FALLBACK_KEY };

function fn(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    name: id,
    triggers: [{ event: "app/thing.happened" }],
    steps: { step: { id: "step", name: "step", runtime: { type: "http", url: `${APP_URL}?fnId=${id}&stepId=step` } } },
    ...extra,
  };
}

function registerBody(appName: string, functions: unknown[]) {
  return { url: APP_URL, deployType: "ping", framework: "edge", appName, sdk: "js:v4.24.0", v: "0.1", functions };
}

async function register(body: unknown, headers: Record<string, string> = {}, bindings: Env = env) {
  const res = await syncRoutes.request(
    "/fn/register",
    {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer undefined", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    },
    bindings,
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function functionIdsOf(appId: string): Promise<string[]> {
  return (await listFunctions(env.DB)).filter((f) => f.appId === appId).map((f) => f.id);
}

describe("POST /fn/register (dev mode)", () => {
  it("stores the app and its functions, joined with the app URL", async () => {
    const res = await register({ ...registerBody("store", [fn("store-a"), fn("store-b")]), appVersion: "7" });
    expect(res).toEqual({ status: 200, body: { ok: true, modified: true, app_id: "store" } });
    expect(await getApp(env.DB, "store")).toMatchObject({ id: "store", url: APP_URL, framework: "edge", appVersion: "7" });
    const stored = (await listFunctions(env.DB)).filter((f) => f.appId === "store");
    expect(stored).toEqual([
      { id: "store-a", appId: "store", appUrl: APP_URL, config: fn("store-a") },
      { id: "store-b", appId: "store", appUrl: APP_URL, config: fn("store-b") },
    ]);
  });

  it("reports modified only when the function set or URL changes, and deletes removed functions", async () => {
    const body = registerBody("resync", [fn("resync-a"), fn("resync-b")]);
    expect((await register(body)).body.modified).toBe(true);
    expect((await register(body)).body.modified).toBe(false);
    // The same set listed in another order is the same set.
    expect((await register({ ...body, functions: [fn("resync-b"), fn("resync-a")] })).body.modified).toBe(false);

    expect((await register(registerBody("resync", [fn("resync-a")]))).body).toMatchObject({ modified: true });
    expect(await functionIdsOf("resync")).toEqual(["resync-a"]);

    const changed = fn("resync-a", { triggers: [{ event: "app/other" }] });
    expect((await register(registerBody("resync", [changed]))).body.modified).toBe(true);
    expect((await listFunctions(env.DB)).find((f) => f.id === "resync-a")?.config.triggers).toEqual([{ event: "app/other" }]);
  });

  it("rejects an invalid config with status 400 in the body, naming the function, and records it", async () => {
    await register(registerBody("broken", [fn("broken-a")]));
    const bad = fn("broken-a", { triggers: [{ event: "app/x", expression: "event.data.x ==" }] });
    const res = await register(registerBody("broken", [bad]));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, error: expect.stringMatching(/^function "broken-a": triggers\[0\]\.expression: /) });
    expect((await getApp(env.DB, "broken"))?.syncError).toBe(res.body.error);
    // The previous, valid function set is kept.
    expect(await functionIdsOf("broken")).toEqual(["broken-a"]);
    // A later good sync clears the error.
    await register(registerBody("broken", [fn("broken-a")]));
    expect((await getApp(env.DB, "broken"))?.syncError).toBeNull();
  });

  it("refuses an oversized or over-costly expression, naming the function and field", async () => {
    const digits = "[0,1,2,3,4,5,6,7,8,9]";
    let costly = "true";
    for (let i = 8; i > 0; i--) costly = `${digits}.all(v${i}, ${costly})`;
    const long = `event.data.x == "${"a".repeat(MAX_EXPRESSION_LENGTH)}"`;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ triggers: [{ event: "app/x", expression: costly }] }, /^function "hostile-a": triggers\[0\]\.expression: expression is too costly/],
      [
        { cancel: [{ event: "app/stop", if: long }] },
        new RegExp(`^function "hostile-a": cancel\\[0\\]\\.if: expression is ${long.length} characters long; the most allowed is ${MAX_EXPRESSION_LENGTH}`),
      ],
    ];
    for (const [extra, error] of cases) {
      const res = await register(registerBody("hostile", [fn("hostile-a", extra)]));
      expect(res).toMatchObject({ status: 400, body: { status: 400, error: expect.stringMatching(error) } });
    }
    expect(await functionIdsOf("hostile")).toEqual([]);
  });

  it("rejects bodies that are not JSON", async () => {
    expect(await register("{not json")).toEqual({ status: 400, body: { error: "request body is not valid JSON", status: 400 } });
  });

  it("refuses a function id that belongs to another app", async () => {
    await register(registerBody("owner", [fn("shared-fn")]));
    const res = await register(registerBody("intruder", [fn("shared-fn"), fn("intruder-a")]));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: 409, error: expect.stringContaining('"shared-fn" (app "owner")') });
    expect(await functionIdsOf("owner")).toEqual(["shared-fn"]);
    expect(await functionIdsOf("intruder")).toEqual([]);
  });

  it("refuses a sync started by a server of another kind", async () => {
    const res = await register(registerBody("kind", [fn("kind-a")]), { "x-inngest-expected-server-kind": "cloud" });
    expect(res).toMatchObject({ status: 400, body: { status: 400, error: expect.stringContaining("runs in dev mode") } });
    expect((await register(registerBody("kind", [fn("kind-a")]), { "x-inngest-expected-server-kind": "dev" })).status).toBe(200);
  });
});

describe("POST /fn/register (production mode)", () => {
  const body = registerBody("prod", [fn("prod-a")]);

  it("requires the hashed signing key or its fallback as bearer", async () => {
    expect(await register(body, { authorization: "" }, PROD_ENV)).toMatchObject({ status: 401, body: { status: 401 } });
    expect((await register(body, {}, PROD_ENV)).status).toBe(401);
    expect((await register(body, { authorization: "Bearer signkey-test-nope" }, PROD_ENV)).status).toBe(401);
    const hashed = await hashSigningKey(SIGNING_KEY);
    expect(await register(body, { authorization: `Bearer ${hashed}` }, PROD_ENV)).toMatchObject({ status: 200 });
    const fallback = await hashSigningKey(FALLBACK_KEY);
    expect(await register(body, { authorization: `Bearer ${fallback}` }, PROD_ENV)).toMatchObject({ status: 200 });
  });

  it("expects to be synced by a cloud-kind server", async () => {
    const auth = { authorization: `Bearer ${await hashSigningKey(SIGNING_KEY)}` };
    const res = await register(body, { ...auth, "x-inngest-expected-server-kind": "dev" }, PROD_ENV);
    expect(res).toMatchObject({ status: 400, body: { error: expect.stringContaining("runs in cloud mode") } });
  });
});

describe("GET /v0/apps", () => {
  it("lists apps with their functions", async () => {
    await register(registerBody("listed", [fn("listed-a")]));
    const res = await syncRoutes.request("/v0/apps", {}, env);
    const { apps } = (await res.json()) as { apps: { id: string; functions: { id: string; name: string }[] }[] };
    expect(apps.find((a) => a.id === "listed")).toMatchObject({ url: APP_URL, functions: [{ id: "listed-a", name: "listed-a" }] });
  });

  it("requires the signing key in production mode", async () => {
    // The Worker's auth gate guards /v0/*, so ask the whole Worker app.
    expect((await app.request("/v0/apps", {}, PROD_ENV, createExecutionContext())).status).toBe(401);
  });
});

describe("POST /v0/apps/sync", () => {
  afterEach(() => vi.restoreAllMocks());

  interface AppOptions {
    /** The app's environment, e.g. whether it allows in-band sync. */
    appEnv?: Record<string, string>;
    /** Runs the app in cloud mode with this key; dev mode without. */
    signingKey?: string;
    /** The server bindings its out-of-band register call reaches. */
    serverEnv?: Env;
  }

  /**
   * Serves a real SDK app at APP_URL through a stubbed global fetch; its out-of-band register
   * call reaches syncRoutes in-process, as it would reach the Worker over the network.
   */
  function serveApp(id: string, { appEnv = {}, signingKey, serverEnv = env }: AppOptions = {}) {
    const client = new Inngest({
      id,
      ...(signingKey ? { isDev: false, signingKey } : { isDev: true }),
      fetch: ((input: RequestInfo | URL, init?: RequestInit) => syncRoutes.request(new Request(input, init), undefined, serverEnv)) as typeof fetch,
    });
    const functions = [
      client.createFunction({ id: "hello", triggers: [{ event: "app/hello" }] }, async () => "hi"),
      client.createFunction({ id: "daily", triggers: [{ cron: "0 9 * * *" }] }, async () => "ok"),
    ];
    // The SDK types the Workers form `(request, env)` so strictly that no tuple satisfies it.
    const handler = serve({ client, functions }) as unknown as (request: Request, env: Record<string, string>) => Promise<Response>;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (!request.url.startsWith(APP_URL)) return new Response("not found", { status: 404 });
      // The SDK resolves the request URL against the Host header.
      const headers = new Headers(request.headers);
      headers.set("host", new URL(request.url).host);
      // A Worker's env is the app's environment.
      return handler(new Request(request, { headers }), appEnv);
    });
  }

  async function sync(url: string, serverEnv: Env = env, headers: Record<string, string> = {}) {
    const res = await syncRoutes.request(
      "/v0/apps/sync",
      { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ url }) },
      serverEnv,
    );
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it("syncs in-band and stores the app", async () => {
    serveApp("inband");
    expect(await sync(APP_URL)).toEqual({ status: 200, body: { ok: true, app_id: "inband", modified: true, kind: "in_band" } });
    expect(await functionIdsOf("inband")).toEqual(["inband-daily", "inband-hello"]);
    expect((await sync(APP_URL)).body.modified).toBe(false);
  });

  it("follows an app that only syncs out-of-band", async () => {
    serveApp("outband", { appEnv: { INNGEST_ALLOW_IN_BAND_SYNC: "false" } });
    expect(await sync(`${APP_URL}?deployId=abc`)).toEqual({
      status: 200,
      body: { ok: true, app_id: "outband", modified: true, kind: "out_of_band" },
    });
    expect(await functionIdsOf("outband")).toEqual(["outband-daily", "outband-hello"]);
  });

  it("signs the request in production mode, so a cloud-mode app accepts it", async () => {
    const auth = { authorization: `Bearer ${await hashSigningKey(SIGNING_KEY)}` };
    serveApp("signed", { signingKey: SIGNING_KEY, serverEnv: PROD_ENV });
    expect(await sync(APP_URL, PROD_ENV, auth)).toMatchObject({ status: 200, body: { app_id: "signed", kind: "in_band" } });

    serveApp("signed-oob", { signingKey: SIGNING_KEY, serverEnv: PROD_ENV, appEnv: { INNGEST_ALLOW_IN_BAND_SYNC: "false" } });
    expect(await sync(APP_URL, PROD_ENV, auth)).toMatchObject({ status: 200, body: { app_id: "signed-oob", kind: "out_of_band" } });

    serveApp("other-key", { signingKey: FALLBACK_KEY.replace("fedcba", "aaaaaa"), serverEnv: PROD_ENV });
    expect(await sync(APP_URL, PROD_ENV, auth)).toMatchObject({
      status: 422,
      body: { error: expect.stringContaining("rejected the sync request's signature") },
    });
  });

  it("explains an unreachable or wrong URL", async () => {
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("connection refused"));
    expect(await sync("http://down.test/api/inngest")).toMatchObject({
      status: 422,
      body: { status: 422, error: expect.stringMatching(/could not reach the app at http:\/\/down\.test\/api\/inngest; .*INNGEST_DEV=/) },
    });
    serveApp("wrong");
    expect(await sync("http://app.test/elsewhere")).toMatchObject({
      status: 422,
      body: { error: expect.stringContaining("did not answer the sync as an Inngest SDK") },
    });
  });

  it("rejects a body without a URL", async () => {
    const res = await syncRoutes.request("/v0/apps/sync", { method: "POST", body: "{}" }, env);
    expect(res.status).toBe(400);
  });
});

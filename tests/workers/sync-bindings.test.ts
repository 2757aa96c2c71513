import { env } from "cloudflare:workers";
import { Inngest } from "inngest";
import { serve } from "inngest/cloudflare";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import { syncRoutes } from "../../src/api/sync-routes";
import { getApp } from "../../src/sync/store";

const WORKER_APP_URL = "http://worker-app.test/api/inngest";

/** A Service Binding to an app Worker serving a real SDK handler: what `env.APP` is on Cloudflare. */
function appWorkerBinding(id: string) {
  const client = new Inngest({ id, isDev: true });
  const functions = [client.createFunction({ id: "hello", triggers: [{ event: "app/hello" }] }, async () => "hi")];
  // The SDK types the Workers form `(request, env)` so strictly that no tuple satisfies it.
  const handler = serve({ client, functions }) as unknown as (request: Request, env: Record<string, string>) => Promise<Response>;
  const urls: string[] = [];
  return {
    urls,
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      urls.push(request.url);
      // The SDK resolves the request URL against the Host header, which a real request carries.
      const headers = new Headers(request.headers);
      headers.set("host", new URL(request.url).host);
      return handler(new Request(request, { headers }), {});
    },
  };
}

async function sync(url: string, serverEnv: Env) {
  const res = await syncRoutes.request(
    "/v0/apps/sync",
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ url }) },
    serverEnv,
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

afterEach(() => vi.restoreAllMocks());

describe("syncing an app that is a Worker (STEPFLARE_APP_BINDINGS)", () => {
  it("asks a mapped app through its binding and never over the network", async () => {
    const network = vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("no network in this test"));
    const binding = appWorkerBinding("bound");
    const serverEnv = { ...env, STEPFLARE_APP_BINDINGS: "http://worker-app.test=APP", APP: binding } as Env;
    expect(await sync(WORKER_APP_URL, serverEnv)).toEqual({
      status: 200,
      body: { ok: true, app_id: "bound", modified: true, kind: "in_band" },
    });
    expect(binding.urls).toEqual([WORKER_APP_URL]);
    expect(network).not.toHaveBeenCalled();
    expect((await getApp(env.DB, "bound"))?.url).toBe(WORKER_APP_URL);
  });

  it("fetches an app URL that no prefix covers over HTTP", async () => {
    const network = vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("connection refused"));
    const binding = appWorkerBinding("unused");
    const serverEnv = { ...env, STEPFLARE_APP_BINDINGS: "http://worker-app.test/other=APP", APP: binding } as Env;
    expect(await sync(WORKER_APP_URL, serverEnv)).toMatchObject({
      status: 422,
      body: { error: expect.stringContaining(`could not reach the app at ${WORKER_APP_URL};`) },
    });
    expect(network).toHaveBeenCalledOnce();
    expect(binding.urls).toEqual([]);
  });

  it("explains a malformed setting", async () => {
    const serverEnv = { ...env, STEPFLARE_APP_BINDINGS: "worker-app.test=APP" };
    expect(await sync(WORKER_APP_URL, serverEnv)).toMatchObject({
      status: 500,
      body: { error: expect.stringContaining('STEPFLARE_APP_BINDINGS is invalid: "worker-app.test" is not an absolute URL') },
    });
  });

  it("explains a binding this Worker does not have", async () => {
    const serverEnv = { ...env, STEPFLARE_APP_BINDINGS: "http://worker-app.test=NOPE" };
    expect(await sync(WORKER_APP_URL, serverEnv)).toMatchObject({
      status: 500,
      body: { error: expect.stringContaining('add [[services]] binding = "NOPE"') },
    });
  });
});

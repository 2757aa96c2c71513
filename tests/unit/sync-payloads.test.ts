import { describe, expect, it } from "vitest";
import { normalizeAppUrl, parseRegisterRequest } from "../../src/sync/register-request";
import { interpretSyncResponse, type SyncContext } from "../../src/sync/sync-response";

const APP_URL = "http://localhost:3000/api/inngest";
const DEV: SyncContext = { appUrl: APP_URL, serverKind: "dev", serverOrigin: "http://127.0.0.1:8288" };
const CLOUD: SyncContext = { ...DEV, serverKind: "cloud" };

function fn(id: string, url = `${APP_URL}?fnId=${id}&stepId=step`) {
  return { id, name: id, triggers: [{ event: "a/b" }], steps: { step: { id: "step", name: "step", runtime: { type: "http", url } } } };
}

function registerBody(overrides: Record<string, unknown> = {}) {
  return {
    url: APP_URL,
    deployType: "ping",
    framework: "express",
    appName: "app",
    sdk: "js:v4.24.0",
    v: "0.1",
    capabilities: { trust_probe: "v1", connect: "v1" },
    functions: [fn("app-a")],
    ...overrides,
  };
}

describe("normalizeAppUrl", () => {
  it("strips deployId and probe and keeps other query parameters", () => {
    expect(normalizeAppUrl(`${APP_URL}?deployId=d1&probe=trust&x=1`)).toBe(`${APP_URL}?x=1`);
    expect(normalizeAppUrl(`${APP_URL}?deployId=undefined`)).toBe(APP_URL);
    expect(normalizeAppUrl(APP_URL)).toBe(APP_URL);
  });
});

describe("parseRegisterRequest", () => {
  it("normalises the app URL and the step URLs", () => {
    const parsed = parseRegisterRequest(
      registerBody({ url: `${APP_URL}?deployId=d1`, functions: [fn("app-a", `${APP_URL}?deployId=d1&fnId=app-a&stepId=step`)] }),
    );
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.request.url).toBe(APP_URL);
    expect(parsed.request.functions[0]?.steps.step?.runtime.url).toBe(`${APP_URL}?fnId=app-a&stepId=step`);
  });

  it("names the function at fault", () => {
    const bad = { ...fn("app-b"), triggers: [{ event: "a/b", expression: "event.data ==" }] };
    const parsed = parseRegisterRequest(registerBody({ functions: [fn("app-a"), bad] }));
    expect(parsed).toMatchObject({ ok: false, error: expect.stringMatching(/^function "app-b": triggers\[0\]\.expression: /) });
  });

  it("rejects duplicate function ids, a missing app id and a relative URL", () => {
    expect(parseRegisterRequest(registerBody({ functions: [fn("app-a"), fn("app-a")] }))).toEqual({
      ok: false,
      error: 'function "app-a": id: duplicate function id',
    });
    expect(parseRegisterRequest(registerBody({ appName: "" }))).toEqual({ ok: false, error: "appName: App ID required" });
    expect(parseRegisterRequest(registerBody({ url: "/api/inngest" }))).toEqual({
      ok: false,
      error: "url: must be an absolute http(s) URL or local://<app>/<path>",
    });
  });

  it("accepts an app with no functions", () => {
    expect(parseRegisterRequest(registerBody({ functions: [] }))).toMatchObject({ ok: true });
  });
});

describe("interpretSyncResponse", () => {
  const inBand = (body: unknown, status = 200) => ({ status, syncKind: "in_band", body: JSON.stringify(body) });
  const inBandBody = { app_id: "app", url: `${APP_URL}?deployId=x`, sdk: "js:v4.24.0", framework: "hono", functions: [fn("app-a")] };

  it("reads the app and its functions from an in-band answer", () => {
    expect(interpretSyncResponse(inBand({ ...inBandBody, appVersion: "1.2" }), DEV)).toEqual({
      kind: "in_band",
      app: { id: "app", url: APP_URL, sdk: "js:v4.24.0", framework: "hono", appVersion: "1.2" },
      functions: [fn("app-a")],
    });
  });

  it("rejects an in-band answer with an invalid function, naming it", () => {
    const bad = { ...fn("app-a"), triggers: [{ cron: "every day" }] };
    expect(interpretSyncResponse(inBand({ ...inBandBody, functions: [bad] }), DEV)).toMatchObject({
      kind: "error",
      status: 400,
      error: expect.stringMatching(/^function "app-a": triggers\[0\]\.cron: /),
    });
  });

  it("explains a 401 by the mode the app and the server run in", () => {
    const res = { status: 401, syncKind: null, body: '{"message":"Unauthorized"}' };
    expect(interpretSyncResponse(res, DEV)).toMatchObject({
      status: 422,
      error: expect.stringContaining("INNGEST_DEV=http://127.0.0.1:8288"),
    });
    expect(interpretSyncResponse(res, CLOUD)).toMatchObject({ status: 422, error: expect.stringContaining("INNGEST_SIGNING_KEY") });
  });

  it("reports an out-of-band outcome, or its failure", () => {
    const oob = (status: number, message: string) => ({
      status,
      syncKind: "out_of_band",
      body: JSON.stringify({ message, modified: status === 200 }),
    });
    expect(interpretSyncResponse(oob(200, "Successfully registered"), DEV)).toEqual({
      kind: "out_of_band",
      modified: true,
      message: "Successfully registered",
    });
    expect(interpretSyncResponse(oob(409, "taken"), DEV)).toEqual({ kind: "error", status: 409, error: "taken" });
    // This server's register route refused the app's key: the app is at fault, not the caller.
    expect(interpretSyncResponse(oob(401, "missing or invalid signing key"), CLOUD)).toMatchObject({
      status: 422,
      error: expect.stringMatching(/^the app could not register with this server: missing or invalid signing key; /),
    });
    expect(interpretSyncResponse(oob(500, "Failed to register; fetch failed"), DEV)).toMatchObject({
      status: 422,
      error: expect.stringMatching(/fetch failed; run the app with INNGEST_DEV=/),
    });
  });

  it("says when the URL is not an Inngest serve endpoint, without repeating what it answered", () => {
    for (const [status, body] of [
      [404, "<html>Not Found</html>"],
      [401, '{"error":"token required"}'],
      [200, '{"secret":"s3cr3t-value"}'],
      [503, "upstream internal-db.corp unavailable"],
    ] as const) {
      const outcome = interpretSyncResponse({ status, syncKind: null, body }, DEV);
      expect(outcome).toMatchObject({ kind: "error", status: 422, error: expect.stringContaining("did not answer the sync as an Inngest SDK") });
      const error = (outcome as { error: string }).error;
      expect(error).not.toContain(String(status));
      expect(error).not.toContain(body);
      for (const word of body.match(/[a-z0-9-]{5,}/gi) ?? []) expect(error).not.toContain(word);
    }
  });
});

import { Inngest, type InngestFunction } from "inngest";
import { serve } from "inngest/edge";
import { beforeAll, describe, expect, it } from "vitest";
import { parseFunctionConfig, retriesOf, stepUrlOf, triggersOf } from "../../src/sync/function-config";
import { parseRegisterRequest } from "../../src/sync/register-request";
import { interpretSyncResponse, type SyncOutcome } from "../../src/sync/sync-response";

const APP_URL = "http://localhost:3000/api/inngest";
const CTX = { appUrl: APP_URL, serverKind: "dev", serverOrigin: "http://127.0.0.1:8288" } as const;

/** An app covering every trigger kind and flow-control option, as users write it with SDK v4. */
function makeFunctions(client: Inngest): InngestFunction.Any[] {
  const noop = async () => "ok";
  return [
    client.createFunction({ id: "plain", triggers: [{ event: "app/user.created" }] }, noop),
    client.createFunction({ id: "nightly", retries: 3, triggers: [{ cron: "TZ=Europe/Paris 0 9 * * *" }] }, noop),
    client.createFunction({ id: "wildcard", triggers: [{ event: "app/*" }] }, noop),
    client.createFunction({ id: "filtered", triggers: [{ event: "app/order.paid", if: "event.data.amount > 100" }] }, noop),
    client.createFunction({ id: "fragile", triggers: [{ event: "app/fragile" }], onFailure: async () => "handled" }, noop),
    client.createFunction(
      {
        id: "limited",
        name: "Limited",
        triggers: [{ event: "app/import" }],
        concurrency: [
          { limit: 5, key: "event.data.userId" },
          { limit: 20, scope: "env", key: '"openai"' },
        ],
        throttle: { limit: 10, period: "1m", key: "event.data.userId", burst: 2 },
        rateLimit: { limit: 1, period: "1h", key: "event.data.userId" },
        priority: { run: "event.data.priority" },
        idempotency: "event.data.importId",
        timeouts: { start: "10s", finish: "1h" },
        cancelOn: [{ event: "app/import.cancelled", match: "data.importId", timeout: "1d" }],
      },
      noop,
    ),
    client.createFunction({ id: "debounced", triggers: [{ event: "app/typing" }], debounce: { period: "5s", key: "event.data.doc" } }, noop),
    client.createFunction({ id: "batched", triggers: [{ event: "app/log" }], batchEvents: { maxSize: 100, timeout: "5s" } }, noop),
    client.createFunction({ id: "only-invoked" }, noop),
  ];
}

async function putSync(handler: (req: Request) => Promise<Response>, inBand: boolean) {
  const res = await handler(
    new Request(APP_URL, {
      method: "PUT",
      // The edge handler resolves the URL against the Host header, which Node does not add.
      headers: { host: "localhost:3000", "content-type": "application/json", ...(inBand ? { "x-inngest-sync-kind": "in_band" } : {}) },
      body: JSON.stringify({ url: APP_URL }),
    }),
  );
  return { status: res.status, syncKind: res.headers.get("x-inngest-sync-kind"), body: await res.text() };
}

describe("configs produced by the official v4 SDK", () => {
  let inBand: SyncOutcome;
  let registered: { body: unknown; authorization: string | null; url: string } | undefined;
  let registerAnswer: { status: number; json: unknown } = { status: 200, json: {} };
  let handler: (req: Request) => Promise<Response>;

  beforeAll(async () => {
    // The SDK registers out-of-band through the client's fetch; capture what it sends.
    const fakeServer = async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      registered = { body: await request.json(), authorization: request.headers.get("authorization"), url: request.url };
      return Response.json(registerAnswer.json, { status: registerAnswer.status });
    };
    const client = new Inngest({ id: "app", isDev: true, fetch: fakeServer as typeof fetch });
    handler = serve({ client, functions: makeFunctions(client) });
    inBand = interpretSyncResponse(await putSync(handler, true), CTX);
  });

  it("parses the in-band answer with every function", () => {
    if (inBand.kind !== "in_band") throw new Error(JSON.stringify(inBand));
    expect(inBand.app).toMatchObject({ id: "app", url: APP_URL, framework: "edge" });
    expect(inBand.app.sdk).toMatch(/^js:v4\./);
    expect(inBand.functions.map((f) => f.id)).toEqual([
      "app-plain",
      "app-nightly",
      "app-wildcard",
      "app-filtered",
      "app-fragile",
      "app-fragile-failure",
      "app-limited",
      "app-debounced",
      "app-batched",
      "app-only-invoked",
    ]);
  });

  it("exposes triggers, step URL and retries", () => {
    if (inBand.kind !== "in_band") throw new Error("expected in-band");
    const byId = new Map(inBand.functions.map((f) => [f.id, f]));
    const get = (id: string) => byId.get(id) ?? expect.unreachable(id);
    expect(triggersOf(get("app-plain"))).toEqual([{ event: "app/user.created" }]);
    expect(triggersOf(get("app-nightly"))).toEqual([{ cron: "TZ=Europe/Paris 0 9 * * *" }]);
    expect(triggersOf(get("app-wildcard"))).toEqual([{ event: "app/*" }]);
    expect(triggersOf(get("app-filtered"))).toEqual([{ event: "app/order.paid", expression: "event.data.amount > 100" }]);
    expect(triggersOf(get("app-fragile-failure"))).toEqual([{ event: "inngest/function.failed", expression: "event.data.function_id == 'app-fragile'" }]);
    expect(triggersOf(get("app-only-invoked"))).toEqual([]);
    expect(retriesOf(get("app-nightly"))).toBe(3);
    expect(retriesOf(get("app-plain"))).toBeUndefined();
    expect(retriesOf(get("app-fragile-failure"))).toBe(1);
    expect(stepUrlOf(get("app-plain"))).toBe(`${APP_URL}?fnId=app-plain&stepId=step`);
    expect(get("app-limited").concurrency).toEqual([
      { limit: 5, key: "event.data.userId" },
      { limit: 20, scope: "env", key: '"openai"' },
    ]);
    expect(get("app-limited").cancel).toEqual([{ event: "app/import.cancelled", timeout: "1d", if: "event.data.importId == async.data.importId" }]);
  });

  it("validates each raw function config from the wire", async () => {
    const { body } = await putSync(handler, true);
    const raw = (JSON.parse(body) as { functions: unknown[] }).functions;
    for (const fn of raw) expect(parseFunctionConfig(fn)).toMatchObject({ ok: true });
  });

  it("accepts the out-of-band register body, sent with `Bearer undefined` in dev", async () => {
    registerAnswer = { status: 200, json: { ok: true, modified: true, app_id: "app" } };
    const put = await putSync(handler, false);
    expect(registered?.url).toBe("http://localhost:8288/fn/register");
    expect(registered?.authorization).toBe("Bearer undefined");
    const parsed = parseRegisterRequest(registered?.body);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.request).toMatchObject({ appName: "app", url: APP_URL, deployType: "ping", framework: "edge" });
    expect(parsed.request.functions).toHaveLength(10);
    expect(interpretSyncResponse(put, CTX)).toEqual({ kind: "out_of_band", modified: true, message: "Successfully registered" });
  });

  it("passes a register rejection back through the SDK with the body's status", async () => {
    registerAnswer = { status: 400, json: { error: 'function "app-plain": triggers[0].event: bad', status: 400 } };
    const put = await putSync(handler, false);
    expect(put.status).toBe(400);
    expect(interpretSyncResponse(put, CTX)).toEqual({
      kind: "error",
      status: 400,
      error: 'function "app-plain": triggers[0].event: bad',
    });
  });
});

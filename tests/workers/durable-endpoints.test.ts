/**
 * The durable endpoint routes at the HTTP boundary, as the SDK's endpoint wrapper drives them:
 * malformed bodies and ids are refused with a clear 4xx, a run is created once, steps reported
 * while the endpoint's request runs are memoised and served back to an SDK that fetches its
 * state (`/v0/runs/:id/actions`, `/batch`), the endpoint's response recorded by `RunComplete` is
 * what its output URL answers (to the holder of the run's token only), and steps reported after
 * the run ended are refused as stale. A run handed over (a sleep) is resumed by calling the
 * endpoint again as it was requested, flagged so the SDK knows the server is calling; in
 * production mode the SDK routes need the signing key and the output needs only the token.
 */
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../../src/api/app";
import { MAX_ENDPOINT_BODY_BYTES } from "../../src/constants";
import type { Env } from "../../src/env";
import { hashSigningKey } from "../../src/protocol/signing";
import { installFetchRouter } from "./helpers/app-fetch";
import { alarmOf, driveToEnd, runStub } from "./helpers/runs";
import { waitFor } from "./helpers/wait";
import { workerFetch } from "./helpers/worker";

const ORIGIN = "http://endpoint-app.test";
const COMPLETE_ID = "0737c22d3bfae812339732d14d8c7dbd6dc4e09c";

function newRunBody(runId: string, overrides: Record<string, unknown> = {}, steps: unknown[] = []) {
  return {
    run_id: runId,
    event: {
      name: "inngest/http.request",
      data: {
        domain: ORIGIN,
        path: "/api/order",
        method: "POST",
        query_params: "id=7",
        body: '{"a":1}',
        content_type: "application/json",
        ip: "",
        fn: "",
        ...overrides,
      },
    },
    steps,
    ts: Date.now(),
    request_version: 2,
    retries: 2,
  };
}

function post(path: string, body: unknown): Promise<Response> {
  return workerFetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
}

async function errorOf(res: Response): Promise<string> {
  return ((await res.json()) as { error: string }).error;
}

const stepRun = (id: string, data: unknown) => ({ id, op: "StepRun", name: id, displayName: id, data });

describe("POST /v1/checkpoint", () => {
  it("refuses bodies that do not describe an endpoint request", async () => {
    expect((await post("/v1/checkpoint", "{not json")).status).toBe(400);
    expect((await post("/v1/checkpoint", { run_id: ulid() })).status).toBe(400);
    const badId = await post("/v1/checkpoint", newRunBody("not-a-ulid"));
    expect(badId.status).toBe(400);
    expect(await errorOf(badId)).toContain("run id must be a ULID");
    const badDomain = await post("/v1/checkpoint", newRunBody(ulid(), { domain: "ftp://x/y" }));
    expect(badDomain.status).toBe(400);
    expect(await errorOf(badDomain)).toContain("event.data.domain");
    expect((await post("/v1/checkpoint", newRunBody(ulid(), { method: "post" }))).status).toBe(400);
    expect((await post("/v1/checkpoint", newRunBody(ulid(), { domain: "http://a b" }))).status).toBe(400);
    const longName = await post("/v1/checkpoint", newRunBody(ulid(), { fn: "f".repeat(600) }));
    expect(longName.status).toBe(400);
    expect(await errorOf(longName)).toContain("function id");
    expect((await post("/v1/checkpoint", newRunBody(ulid(), {}, [{ id: "x" }]))).status).toBe(400);
  });

  it("refuses a request body larger than a run keeps", async () => {
    const res = await post("/v1/checkpoint", newRunBody(ulid(), { body: "x".repeat(MAX_ENDPOINT_BODY_BYTES + 1) }));
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toContain(String(MAX_ENDPOINT_BODY_BYTES));
  });

  it("creates the run once, with the ids and token the SDK needs", async () => {
    const runId = ulid();
    const res = await post("/v1/checkpoint", newRunBody(runId, {}, [stepRun("a", 1)]));
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: Record<string, string> };
    expect(data).toMatchObject({ run_id: runId, app_id: ORIGIN, fn_id: `${ORIGIN}-POST /api/order` });
    expect(data["token"]).toMatch(/^[0-9a-f]{64}$/);
    expect(data["realtime_token"]).toBeTruthy();
    const again = await post("/v1/checkpoint", newRunBody(runId));
    expect(again.status).toBe(409);
  });
});

describe("POST /v1/checkpoint/:runId/steps and what the SDK reads back", () => {
  it("refuses bad ids and bodies, and names a run that does not exist", async () => {
    expect((await post("/v1/checkpoint/nope/steps", { steps: [] })).status).toBe(400);
    expect((await post(`/v1/checkpoint/${ulid()}/steps`, { steps: [] })).status).toBe(404);
    expect((await post(`/v1/checkpoint/${ulid()}/steps`, { steps: "x" })).status).toBe(400);
    expect((await post(`/v1/checkpoint/${ulid()}/steps`, "[")).status).toBe(400);
    expect((await workerFetch("/v0/runs/nope/actions")).status).toBe(400);
    expect((await workerFetch(`/v0/runs/${ulid()}/batch`)).status).toBe(404);
  });

  it("memoises steps in order, records the endpoint's response, then refuses more steps", async () => {
    const runId = ulid();
    const created = (await (await post("/v1/checkpoint", newRunBody(runId, {}, [stepRun("first", { n: 1 })]))).json()) as { data: { token: string } };
    expect((await post(`/v1/checkpoint/${runId}/steps`, { run_id: runId, steps: [stepRun("second", "two")] })).status).toBe(200);

    const actions = await workerFetch(`/v0/runs/${runId}/actions`);
    expect(Object.entries((await actions.json()) as Record<string, unknown>)).toEqual([
      ["first", { data: { n: 1 } }],
      ["second", { data: "two" }],
    ]);
    const batch = (await (await workerFetch(`/v0/runs/${runId}/batch`)).json()) as { name: string; data: { path: string } }[];
    expect(batch).toHaveLength(1);
    expect(batch[0]).toMatchObject({ name: "inngest/http.request", data: { path: "/api/order" } });

    const response = { status: 201, headers: { "content-type": "text/plain", "x-order": "7" }, body: "made", version: 2 };
    expect((await post(`/v1/checkpoint/${runId}/steps`, { steps: [{ id: COMPLETE_ID, op: "RunComplete", data: response }] })).status).toBe(200);
    const late = await post(`/v1/checkpoint/${runId}/steps`, { steps: [stepRun("third", 3)] });
    expect(late.status).toBe(409);

    const output = await workerFetch(`/v1/http/runs/${runId}/output?token=${created.data.token}`);
    expect(output.status).toBe(201);
    expect(output.headers.get("x-order")).toBe("7");
    expect(await output.text()).toBe("made");
  });
});

describe("GET /v1/http/runs/:runId/output", () => {
  it("answers only the holder of the run's token, and the same whatever is wrong", async () => {
    const runId = ulid();
    const { data } = (await (await post("/v1/checkpoint", newRunBody(runId))).json()) as { data: { token: string } };
    const other = ulid();
    const otherToken = ((await (await post("/v1/checkpoint", newRunBody(other))).json()) as { data: { token: string } }).data.token;
    for (const query of ["", "?token=", `?token=${otherToken}`, `?token=${data.token.slice(1)}`]) {
      expect((await workerFetch(`/v1/http/runs/${runId}/output${query}`)).status).toBe(401);
    }
    expect((await workerFetch(`/v1/http/runs/nope/output?token=${data.token}`)).status).toBe(401);
  });

  it("answers a failed run with its error", async () => {
    const runId = ulid();
    const { data } = (await (await post("/v1/checkpoint", newRunBody(runId))).json()) as { data: { token: string } };
    // An op the server refuses ends the run failed (UnsupportedFeature), visibly.
    expect((await post(`/v1/checkpoint/${runId}/steps`, { steps: [{ id: "d", op: "DeferAdd", opts: {} }] })).status).toBe(409);
    const output = await workerFetch(`/v1/http/runs/${runId}/output?token=${data.token}`);
    expect(output.status).toBe(500);
    expect(await output.json()).toMatchObject({ name: "UnsupportedFeature" });
  });
});

describe("a run handed over to the server", () => {
  afterEach(() => vi.restoreAllMocks());

  it("is resumed by calling the endpoint again as it was requested, and ends with what it answers", async () => {
    const router = installFetchRouter();
    const resumes: { method: string; url: string; headers: Headers }[] = [];
    const answer = { status: 200, headers: { "content-type": "application/json" }, body: '{"done":true}', version: 2 };
    router.route(ORIGIN, (request) => {
      resumes.push({ method: request.method, url: request.url, headers: new Headers(request.headers) });
      return new Response(JSON.stringify({ id: COMPLETE_ID, op: "RunComplete", data: answer }), {
        status: 206,
        headers: { "Content-Type": "application/json", "X-Inngest-SDK": "inngest-js:v4.24.0", "X-Inngest-Req-Version": "2" },
      });
    });
    const runId = ulid();
    const { data } = (await (await post("/v1/checkpoint", newRunBody(runId, {}, [stepRun("a", 1)]))).json()) as { data: { token: string } };
    const nap = { id: "nap", op: "Sleep", name: "1ms", displayName: "nap" };
    expect((await post(`/v1/checkpoint/${runId}/steps`, { steps: [nap] })).status).toBe(200);
    const { run } = await driveToEnd(runId);
    expect(run.status).toBe("completed");

    expect(resumes).toHaveLength(1);
    const resume = resumes[0]!;
    expect(resume.method).toBe("POST");
    expect(resume.url).toBe(`${ORIGIN}/api/order?id=7`);
    expect(router.to(resume.url).map((r) => r.body)).toEqual(['{"a":1}']);
    expect(resume.headers.get("X-Run-ID")).toBe(runId);
    expect(resume.headers.get("X-Inngest-Signature")).toBe("");
    expect(resume.headers.get("Content-Type")).toBe("application/json");

    const output = await workerFetch(`/v1/http/runs/${runId}/output?token=${data.token}`);
    expect(await output.json()).toEqual({ done: true });
  });
});

describe("a request that stops reporting", () => {
  afterEach(() => vi.restoreAllMocks());

  it("is presumed lost once its hold runs out, and the server resumes the run by calling the endpoint", async () => {
    const router = installFetchRouter();
    router.route(
      ORIGIN,
      () =>
        new Response(JSON.stringify({ id: COMPLETE_ID, op: "RunComplete", data: { status: 200, body: "recovered" } }), {
          status: 206,
          headers: { "Content-Type": "application/json", "X-Inngest-SDK": "inngest-js:v4.24.0" },
        }),
    );
    const runId = ulid();
    await post("/v1/checkpoint", newRunBody(runId, {}, [stepRun("a", 1)]));
    const stub = runStub(runId);
    // Armed for when the hold runs out (once the first alarm, which copies history, is done).
    const armed = await waitFor(
      "the alarm armed for the end of the hold",
      async () => {
        const at = await alarmOf(runId);
        return at !== null && at > Date.now() + 60_000 ? at : undefined;
      },
      5_000,
    );
    expect(armed).toBeGreaterThan(Date.now() + 60_000);
    expect(router.to(`${ORIGIN}/api/order`)).toHaveLength(0);
    // Let the hold run out now rather than in ENDPOINT_SYNC_LEASE_MS.
    await runInDurableObject(stub, async (_instance, state) => {
      state.storage.sql.exec("UPDATE calls SET leased_until = 0");
      await state.storage.setAlarm(Date.now());
    });
    const { run } = await driveToEnd(runId);
    expect(run.status).toBe("completed");
    expect(router.to(`${ORIGIN}/api/order`)).toHaveLength(1);
  });
});

describe("production mode", () => {
  const KEY = "signkey-prod-0123456789abcdef0123456789abcdef";
  const PROD: Env = { ...env, INNGEST_SIGNING_KEY: KEY };

  async function call(path: string, init: RequestInit = {}): Promise<Response> {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`http://stepflare.example${path}`, init), PROD, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }

  it("needs the signing key to create runs, and only the run's token to read their output", async () => {
    const runId = ulid();
    const body = JSON.stringify(newRunBody(runId, {}, [{ id: COMPLETE_ID, op: "RunComplete", data: { status: 200, body: "ok" } }]));
    const init = { method: "POST", headers: { "Content-Type": "application/json" }, body };
    expect((await call("/v1/checkpoint", init)).status).toBe(401);
    const bearer = { Authorization: `Bearer ${await hashSigningKey(KEY)}` };
    const created = await call("/v1/checkpoint", { ...init, headers: { ...init.headers, ...bearer } });
    expect(created.status).toBe(200);
    const { token } = ((await created.json()) as { data: { token: string } }).data;
    const output = await call(`/v1/http/runs/${runId}/output?token=${token}`);
    expect(output.status).toBe(200);
    expect(await output.text()).toBe("ok");
    // A dev server's token for the same run is not this server's.
    const devToken = ((await (await post("/v1/checkpoint", newRunBody(ulid()))).json()) as { data: { token: string } }).data.token;
    expect((await call(`/v1/http/runs/${runId}/output?token=${devToken}`)).status).toBe(401);
  });
});

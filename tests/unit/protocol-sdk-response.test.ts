import { createHash } from "node:crypto";
import { Inngest, NonRetriableError, RetryAfterError } from "inngest";
import { serve } from "inngest/cloudflare";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/protocol/jcs";
import { interpretSdkResponse, type SdkResponse } from "../../src/protocol/sdk-response";

const NOW = Date.UTC(2026, 7, 22, 10, 0, 0);
const SDK = { "x-inngest-sdk": "inngest-js:v4.24.0", "content-type": "application/json" };
const silent = { info() {}, warn() {}, error() {}, debug() {} };

function raw(status: number, body: string, headers: Record<string, string> = SDK) {
  return { status, headers: new Headers(headers), body };
}

function interpret(status: number, body: string, headers?: Record<string, string>): SdkResponse {
  return interpretSdkResponse(raw(status, body, headers), NOW);
}

/** Narrow to one variant, failing the test with the whole response if it is another. */
function expectKind<K extends SdkResponse["kind"]>(res: SdkResponse, kind: K): Extract<SdkResponse, { kind: K }> {
  expect(res, JSON.stringify(res)).toMatchObject({ kind });
  return res as Extract<SdkResponse, { kind: K }>;
}

describe("interpretSdkResponse with the official SDK", () => {
  const client = new Inngest({ id: "resp-test", isDev: true, logger: silent });
  const trigger = { event: "test/go" };
  const functions = [
    client.createFunction({ id: "one-step", triggers: [trigger] }, async ({ step }) => {
      const user = await step.run("fetch-user", () => ({ id: 1, name: "Ada" }));
      return { user };
    }),
    client.createFunction({ id: "retry-after", triggers: [trigger] }, async ({ step }) => {
      await step.run("flaky", () => {
        throw new RetryAfterError("rate limited", "30s");
      });
    }),
    client.createFunction({ id: "non-retriable", triggers: [trigger] }, async () => {
      throw new NonRetriableError("bad input");
    }),
    client.createFunction({ id: "no-steps", triggers: [trigger] }, async () => ({ ok: true })),
    client.createFunction({ id: "parallel", triggers: [trigger] }, async ({ step }) => {
      await Promise.all([step.run("a", () => 1), step.run("b", () => 2)]);
    }),
  ];

  /** POST a discovery call request, as the server sends it, to a serve handler. */
  async function call(fnId: string, opts: { streaming?: boolean } = {}) {
    // The Cloudflare adapter accepts `(request, env)`; its overloaded type does not say so.
    const handler = serve({ client, functions, streaming: opts.streaming ?? false }) as unknown as (
      request: Request,
      env: Record<string, string>,
    ) => Promise<Response>;
    const event = { name: "test/go", data: {}, id: "evt-1", ts: NOW, user: {} };
    const body = canonicalJson({
      event,
      events: [event],
      steps: {},
      ctx: {
        run_id: "01J5Z6RX0000000000000000RN",
        attempt: 0,
        max_attempts: 4,
        stack: { stack: [], current: 0 },
        disable_immediate_execution: false,
        use_api: false,
      },
      version: -1,
    });
    const res = await handler(
      new Request(`http://app.test/api/inngest?fnId=resp-test-${fnId}&stepId=step`, {
        method: "POST",
        body,
        headers: { host: "app.test", "content-type": "application/json" },
      }),
      {},
    );
    return { status: res.status, headers: res.headers, body: await res.text() };
  }

  it("reads a 206 with the StepRun of an immediately executed step", async () => {
    const res = await call("one-step");
    expect(res.status).toBe(206);
    const ops = expectKind(interpretSdkResponse(res, NOW), "ops");
    expect(ops.version).toBe(2);
    expect(ops.noRetry).toBe(false);
    expect(ops.retryAfterMs).toBeUndefined();
    expect(ops.ops).toHaveLength(1);
    expect(ops.ops[0]).toMatchObject({
      op: "StepRun",
      id: createHash("sha1").update("fetch-user").digest("hex"),
      data: { id: 1, name: "Ada" },
      userland: { id: "fetch-user" },
    });
  });

  it("reads a 206 StepError with the Retry-After of a RetryAfterError", async () => {
    const res = await call("retry-after");
    expect(res.status).toBe(206);
    expect(res.headers.get("retry-after")).toBe("30");
    const ops = expectKind(interpretSdkResponse(res, NOW), "ops");
    expect(ops.noRetry).toBe(false);
    expect(ops.retryAfterMs).toBe(30_000);
    expect(ops.ops[0]).toMatchObject({ op: "StepError", error: { name: "RetryAfterError", message: "rate limited" } });
  });

  it("reads a 400 with X-Inngest-No-Retry: true as a final error", async () => {
    const res = await call("non-retriable");
    expect(res.status).toBe(400);
    const error = expectKind(interpretSdkResponse(res, NOW), "error");
    expect(error.status).toBe(400);
    expect(error.retriable).toBe(false);
    expect(error.error).toMatchObject({ name: "NonRetriableError", message: "bad input" });
  });

  it("reads a 200 as the function's output", async () => {
    const res = await call("no-steps");
    expect(res.status).toBe(200);
    expect(interpretSdkResponse(res, NOW)).toEqual({ kind: "complete", output: { ok: true }, version: 2 });
  });

  it("reads the StepPlanned ops of parallel steps", async () => {
    const ops = expectKind(interpretSdkResponse(await call("parallel"), NOW), "ops");
    expect(ops.ops.map((op) => [op.op, op.userland?.id])).toEqual([
      ["StepPlanned", "a"],
      ["StepPlanned", "b"],
    ]);
  });

  it("unwraps a 201 streamed response into the same result as an unstreamed one", async () => {
    const streamed = await call("one-step", { streaming: true });
    expect(streamed.status).toBe(201);
    const plain = await call("one-step");
    const fromStream = expectKind(interpretSdkResponse(streamed, NOW), "ops");
    const fromPlain = expectKind(interpretSdkResponse(plain, NOW), "ops");
    expect(fromStream.version).toBe(2);
    expect(fromStream.ops.map(({ timing: _t, ...op }) => op)).toEqual(fromPlain.ops.map(({ timing: _t, ...op }) => op));

    const failed = expectKind(interpretSdkResponse(await call("non-retriable", { streaming: true }), NOW), "error");
    expect(failed).toMatchObject({ status: 400, retriable: false, error: { name: "NonRetriableError" } });
  });
});

describe("interpretSdkResponse: 200", () => {
  it("parses JSON output, maps an empty body to null, and keeps a non-JSON body as text", () => {
    expect(interpret(200, '"hello"')).toEqual({ kind: "complete", output: "hello" });
    expect(interpret(200, "")).toEqual({ kind: "complete", output: null });
    expect(interpret(200, "not json")).toEqual({ kind: "complete", output: "not json" });
  });

  it("takes the execution version from X-Inngest-Req-Version when numeric", () => {
    expect(interpret(200, "1", { ...SDK, "x-inngest-req-version": "1" })).toMatchObject({ version: 1 });
    expect(interpret(200, "1", { ...SDK, "x-inngest-req-version": "v2" })).not.toHaveProperty("version");
  });

  it("treats a 2xx without X-Inngest-SDK as a retriable error: it did not come from an SDK", () => {
    for (const status of [200, 201, 206]) {
      const error = expectKind(interpret(status, "<html>welcome</html>", { "content-type": "text/html" }), "error");
      expect(error).toMatchObject({ status, retriable: true });
      expect(error.error.message).toMatch(/did not come from an Inngest SDK/);
    }
  });

  it("treats other 2xx statuses from an SDK as retriable protocol errors", () => {
    expect(interpret(204, "")).toMatchObject({ kind: "error", status: 204, retriable: true });
  });
});

describe("interpretSdkResponse: 206", () => {
  it("accepts an array, a single op object, and an empty array", () => {
    expect(expectKind(interpret(206, '[{"id":"a","op":"Sleep","name":"1h"}]'), "ops").ops).toEqual([{ id: "a", op: "Sleep", name: "1h" }]);
    expect(expectKind(interpret(206, '{"id":"a","op":"StepPlanned"}'), "ops").ops).toEqual([{ id: "a", op: "StepPlanned" }]);
    expect(interpret(206, "[]")).toEqual({ kind: "ops", ops: [], noRetry: false });
  });

  it("carries X-Inngest-No-Retry: true as noRetry", () => {
    const body = '[{"id":"a","op":"StepFailed","error":{"name":"Error","message":"x"}}]';
    expect(interpret(206, body, { ...SDK, "x-inngest-no-retry": "true" })).toMatchObject({ noRetry: true });
    expect(interpret(206, body, { ...SDK, "x-inngest-no-retry": "false" })).toMatchObject({ noRetry: false });
  });

  it("turns malformed bodies into retriable errors that say what is wrong", () => {
    const cases: [string, RegExp][] = [
      ["", /body is empty/],
      ["{oops", /not JSON/],
      ['"[]"', /body is string/],
      ["null", /body is null/],
      ['[{"id":"a","op":"StepRun"},{"op":"StepRun"}]', /op 1 is invalid \(id: /],
      ['[{"id":"a","op":"Sleep","opts":"1h"}]', /op 0 is invalid \(opts: /],
    ];
    for (const [body, message] of cases) {
      const error = expectKind(interpret(206, body), "error");
      expect(error).toMatchObject({ status: 206, retriable: true });
      expect(error.error.message).toMatch(message);
    }
  });
});

describe("interpretSdkResponse: 201 streamed", () => {
  const inner = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    `    ${JSON.stringify({ status, headers: { ...SDK, ...headers }, body })}`;

  it("uses the inner status, headers and JSON-string body", () => {
    const ops = '[{"id":"a","op":"StepRun","data":1}]';
    const res = interpret(201, inner(206, ops, { "x-inngest-req-version": "2", "retry-after": "5" }));
    expect(res).toEqual({
      kind: "ops",
      ops: [{ id: "a", op: "StepRun", data: 1 }],
      noRetry: false,
      retryAfterMs: 5000,
      version: 2,
    });
  });

  it("keeps a string output intact and falls back to the document's version", () => {
    const doc = JSON.stringify({ status: 200, headers: SDK, body: '"hi"', version: 1 });
    expect(interpret(201, ` ${doc}`)).toEqual({ kind: "complete", output: "hi", version: 1 });
  });

  it("reads an inner error with its no-retry header", () => {
    const body = JSON.stringify({ name: "Error", message: "boom", __serialized: true });
    const error = expectKind(interpret(201, inner(500, body, { "x-inngest-no-retry": "false" })), "error");
    expect(error).toMatchObject({ status: 500, retriable: true, error: { name: "Error", message: "boom" } });
  });

  it("rejects a final document that is not JSON or not the expected shape", () => {
    for (const body of ["   ", "  {", '{"headers":{}}', inner(201, "")]) {
      expect(interpret(201, body)).toMatchObject({ kind: "error", status: 201, retriable: true });
    }
  });
});

describe("interpretSdkResponse: errors", () => {
  it("reads the SDK's serialised error from a 500 and retries it", () => {
    const body = JSON.stringify({ name: "TypeError", message: "x is undefined", stack: "TypeError: ...", __serialized: true });
    const error = expectKind(interpret(500, body, { ...SDK, "x-inngest-no-retry": "false" }), "error");
    expect(error.retriable).toBe(true);
    expect(error.error).toEqual({ name: "TypeError", message: "x is undefined", stack: "TypeError: ...", __serialized: true });
  });

  it("describes a body that is not a serialised error by status and its first 500 characters", () => {
    const html = `<html>${"x".repeat(1000)}</html>`;
    const error = expectKind(interpret(502, html, { "content-type": "text/html" }), "error");
    expect(error.retriable).toBe(true);
    expect(error.error).toEqual({ name: "AppHttpError", code: "app_http_error", message: `HTTP 502: ${html.slice(0, 500)}` });
    expect(expectKind(interpret(401, '{"message":"Unauthorized"}'), "error").error.message).toBe('HTTP 401: {"message":"Unauthorized"}');
  });

  it("retries a 4xx unless X-Inngest-No-Retry is exactly true", () => {
    expect(interpret(400, "{}")).toMatchObject({ retriable: true });
    expect(interpret(400, "{}", { ...SDK, "x-inngest-no-retry": "TRUE" })).toMatchObject({ retriable: true });
    expect(interpret(500, "{}", { ...SDK, "x-inngest-no-retry": "true" })).toMatchObject({ retriable: false });
  });

  it("reads Retry-After as seconds, an ISO date, or an HTTP date, never negative", () => {
    const retryAfter = (value: string) => {
      const res = interpret(500, "{}", { ...SDK, "retry-after": value });
      return "retryAfterMs" in res ? res.retryAfterMs : undefined;
    };
    expect(retryAfter("120")).toBe(120_000);
    expect(retryAfter(new Date(NOW + 90_000).toISOString())).toBe(90_000);
    expect(retryAfter(new Date(NOW + 3_600_000).toUTCString())).toBe(3_600_000);
    expect(retryAfter(new Date(NOW - 60_000).toISOString())).toBe(0);
    expect(retryAfter("soon")).toBeUndefined();
    expect(retryAfter("-5")).toBeUndefined();
  });
});

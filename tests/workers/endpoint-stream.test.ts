/**
 * A durable endpoint run's stream after a hand-over, at the HTTP boundary: what the app posts to
 * `POST /v1/realtime/publish/tee` reaches the holder of the run's `realtime_token` at
 * `GET /v1/realtime/sse` as whole SSE events, and only that run's; the stream ends after the
 * run's response; a stream of an earlier request left open is cut once the response is relayed;
 * a run that ends without a streamed response answers from its stored result. The stream topic
 * cannot be minted or published to by hand, and in production mode the tee needs the signing
 * key while the stream needs only the run's token of this server.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { describe, expect, it } from "vitest";
import { app } from "../../src/api/app";
import { ENDPOINT_STREAM_MAX_OPEN_TEES } from "../../src/constants";
import type { Env } from "../../src/env";
import { hashSigningKey } from "../../src/protocol/signing";
import { RUN_STREAM_TOPIC } from "../../src/realtime/run-stream";
import { workerFetch } from "./helpers/worker";

const ORIGIN = "http://endpoint-app.test";
const COMPLETE_ID = "0737c22d3bfae812339732d14d8c7dbd6dc4e09c";
const JSON_HEADERS = { "Content-Type": "application/json" };

function newRunBody(runId: string, steps: unknown[] = []) {
  return {
    run_id: runId,
    event: {
      name: "inngest/http.request",
      data: { domain: ORIGIN, path: "/api/chat", method: "GET", query_params: "", body: "", content_type: "", ip: "", fn: "" },
    },
    steps,
    ts: Date.now(),
    request_version: 2,
    retries: 0,
  };
}

type Fetch = (path: string, init?: RequestInit) => Promise<Response>;

/** Creates an endpoint run and answers its `realtime_token`. */
async function newRun(fetcher: Fetch, runId: string, steps: unknown[] = [], headers: Record<string, string> = {}): Promise<string> {
  const res = await fetcher("/v1/checkpoint", { method: "POST", headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(newRunBody(runId, steps)) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: { realtime_token: string } }).data.realtime_token;
}

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const responseEvent = (body: string) => sse("inngest.response", { status: "succeeded", response: { body, headers: {}, statusCode: 200 } });

/** Everything an SSE answer sends until it ends. */
async function readToEnd(res: Response): Promise<string> {
  expect(res.status).toBe(200);
  expect(res.headers.get("Content-Type")).toBe("text/event-stream");
  return res.text();
}

/** The first part of an SSE answer, once the subscription is open (its first comment line). */
async function opened(res: Response): Promise<{ rest: () => Promise<string> }> {
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const first = (await reader.read()).value ?? "";
  return {
    rest: async () => {
      let text = first;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return text;
        text += value;
      }
    },
  };
}

function tee(fetcher: Fetch, runId: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return fetcher(`/v1/realtime/publish/tee?channel=${runId}`, { method: "POST", headers: { "Content-Type": "application/octet-stream", ...headers }, body });
}

describe("a durable endpoint run's stream", () => {
  it("relays the run's events to its token's holder only, whole, and ends after the response", async () => {
    const runId = ulid();
    const other = ulid();
    const token = await newRun(workerFetch, runId);
    await newRun(workerFetch, other);
    const stream = await opened(await workerFetch(`/v1/realtime/sse?token=${token}`));
    // An event cut across two chunks of the body reaches the caller whole.
    const chunk = sse("inngest.stream", { data: "hello" });
    const parts = [sse("inngest.metadata", { runId }), chunk.slice(0, 10), chunk.slice(10)];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
        controller.close();
      },
    });
    expect((await tee(workerFetch, runId, body)).status).toBe(200);
    expect((await tee(workerFetch, other, sse("inngest.stream", { data: "not yours" }))).status).toBe(200);
    expect((await tee(workerFetch, runId, sse("inngest.metadata", { runId }) + responseEvent("bye"))).status).toBe(200);
    const text = await stream.rest();
    expect(text).toContain(chunk);
    expect(text).not.toContain("not yours");
    expect(text.trimEnd().endsWith(responseEvent("bye").trimEnd())).toBe(true);
  });

  it("cuts a stream of an earlier request that was left open once the run's response is relayed", async () => {
    const runId = ulid();
    await newRun(workerFetch, runId);
    let open!: ReadableStreamDefaultController<Uint8Array>;
    const leftOpen = tee(
      workerFetch,
      runId,
      new ReadableStream<Uint8Array>({
        start(controller) {
          open = controller;
          controller.enqueue(new TextEncoder().encode(sse("inngest.stream", { data: "early" })));
        },
      }),
    );
    // Once the first stream is being relayed, the last request's stream carries the response.
    await new Promise((r) => setTimeout(r, 200));
    expect((await tee(workerFetch, runId, responseEvent("done"))).status).toBe(200);
    const cut = await leftOpen;
    expect(cut.status).toBe(409);
    expect(((await cut.json()) as { error: string }).error).toContain("already sent");
    open.close();
  });

  it("relays at most ENDPOINT_STREAM_MAX_OPEN_TEES streams of a run at once, refusing the next with a 429 until one ends", async () => {
    const runId = ulid();
    const token = await newRun(workerFetch, runId);
    const caller = await workerFetch(`/v1/realtime/sse?token=${token}`);
    expect(caller.status).toBe(200);
    const reader = caller.body!.pipeThrough(new TextDecoderStream()).getReader();
    // Its first part (a comment line) comes once the subscription is open.
    let seen = (await reader.read()).value ?? "";
    const open: ReadableStreamDefaultController<Uint8Array>[] = [];
    const tees = Array.from({ length: ENDPOINT_STREAM_MAX_OPEN_TEES }, (_, i) =>
      tee(
        workerFetch,
        runId,
        new ReadableStream<Uint8Array>({
          start(controller) {
            open.push(controller);
            controller.enqueue(new TextEncoder().encode(sse("inngest.stream", { data: i })));
          },
        }),
      ),
    );
    // Each stream's first event reaching the caller shows that stream being relayed.
    while (seen.split("event: inngest.stream\n").length - 1 < ENDPOINT_STREAM_MAX_OPEN_TEES) seen += (await reader.read()).value ?? "";
    const refused = await tee(workerFetch, runId, sse("inngest.stream", { data: "one too many" }));
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: string }).error).toContain(`at most ${ENDPOINT_STREAM_MAX_OPEN_TEES} at once`);
    // One stream ending makes room: the next (here the run's response) is relayed, and cuts the rest.
    open[0]!.close();
    expect((await tees[0]!).status).toBe(200);
    expect((await tee(workerFetch, runId, responseEvent("done"))).status).toBe(200);
    const rest = await Promise.all(tees.slice(1));
    expect(rest.map((res) => res.status)).toEqual(rest.map(() => 409));
    for (const controller of open.slice(1)) controller.close();
    for (let part = await reader.read(); !part.done; part = await reader.read()) seen += part.value;
    expect(seen).not.toContain("one too many");
    expect(seen.trimEnd().endsWith(responseEvent("done").trimEnd())).toBe(true);
  });

  it("answers from the stored result when the run ended without streaming its response", async () => {
    const runId = ulid();
    const token = await newRun(workerFetch, runId, [
      { id: COMPLETE_ID, op: "RunComplete", data: { status: 201, headers: { "x-kind": "stored" }, body: "made" } },
    ]);
    const text = await readToEnd(await workerFetch(`/v1/realtime/sse?token=${token}`));
    const data = /event: inngest\.response\ndata: (.+)\n\n/.exec(text)?.[1];
    expect(JSON.parse(data!)).toMatchObject({ status: "succeeded", response: { body: "made", headers: { "x-kind": "stored" }, statusCode: 201 } });
  });

  it("refuses to mint a token for the stream topic or to publish to it, and a tee for no run", async () => {
    const runId = ulid();
    await newRun(workerFetch, runId);
    const mint = await workerFetch("/v1/realtime/token", { method: "POST", body: JSON.stringify([{ channel: runId, name: RUN_STREAM_TOPIC }]) });
    expect(mint.status).toBe(400);
    expect((await workerFetch(`/v1/realtime/publish?channel=${runId}&topic=${RUN_STREAM_TOPIC}`, { method: "POST", body: "{}" })).status).toBe(400);
    expect((await tee(workerFetch, ulid(), responseEvent("x"))).status).toBe(404);
    expect((await tee(workerFetch, "not-a-run", responseEvent("x"))).status).toBe(400);
  });
});

describe("production mode", () => {
  const KEY = "signkey-prod-0123456789abcdef0123456789abcdef";
  const PROD: Env = { ...env, INNGEST_SIGNING_KEY: KEY };
  const call: Fetch = async (path, init = {}) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`http://stepflare.example${path}`, init), PROD, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };

  it("needs the signing key to feed a run's stream, and only this server's token of the run to read it", async () => {
    const bearer = { Authorization: `Bearer ${await hashSigningKey(KEY)}` };
    const runId = ulid();
    const token = await newRun(call, runId, [], bearer);
    expect((await tee(call, runId, responseEvent("x"))).status).toBe(401);
    const devToken = await newRun(workerFetch, ulid());
    const refused = await call(`/v1/realtime/sse?token=${devToken}`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toContain("not issued by this server");
    const stream = await opened(await call(`/v1/realtime/sse?token=${token}`));
    expect((await tee(call, runId, responseEvent("signed"), bearer)).status).toBe(200);
    expect(await stream.rest()).toContain(responseEvent("signed"));
  });
});

/**
 * Realtime end to end in production mode: the official v4 SDK's `step.realtime.publish` (and
 * `inngest.realtime.publish`, also of a stream) reach a `subscribe()` client over WebSocket and an SSE reader, each
 * holding a token minted with the signing key; a step's publish is not repeated when a later step
 * is retried; without a token, or with one stepflare did not sign, nothing subscribes, and the
 * subscriber's upgrade request is answered 401 with the reason.
 */
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { Inngest, realtime, RetryAfterError, staticSchema } from "inngest";
import { getSubscriptionToken, subscribe } from "inngest/realtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { waitForEndedRuns } from "./harness/server-api";
import { waitFor } from "./harness/wait";

const SIGNING_KEY = "signkey-test-5f1c0a3e9b7d4c2a8e6f0b1d3c5a7e9f1b3d5c7a9e0f2b4d6c8a0e1f3b5d7c9a";
const EVENT_KEY = "rt-event-key";

const jobChannel = realtime.channel({
  name: (jobId: string) => `job:${jobId}`,
  topics: { progress: { schema: z.object({ pct: z.number() }) }, log: { schema: staticSchema() } },
});

let server: DevServer;
let app: TestApp;
let inngest: Inngest;

beforeAll(async () => {
  server = await startDevServer({ INNGEST_SIGNING_KEY: SIGNING_KEY, INNGEST_EVENT_KEY: EVENT_KEY, STEPFLARE_ALLOW_PRIVATE_URLS: "true" });
  inngest = new Inngest({ id: "e2e-realtime", isDev: false, signingKey: SIGNING_KEY, eventKey: EVENT_KEY, baseUrl: server.url });
  const job = inngest.createFunction({ id: "job", triggers: { event: "rt/job" } }, async ({ event, step }) => {
    await step.realtime.publish("report", jobChannel(event.data.jobId as string).progress, { pct: 50 });
    return "done";
  });
  const retried = inngest.createFunction({ id: "retried", triggers: { event: "rt/retried" } }, async ({ event, step, attempt }) => {
    await step.realtime.publish("report", jobChannel(event.data.jobId as string).progress, { pct: 10 });
    // Fails once after the publish: the retry calls the function again, which must not publish again.
    await step.run("flaky", () => {
      if (attempt === 0) throw new RetryAfterError("first attempt fails", 1000);
      return "ok";
    });
    return "done";
  });
  app = await serveApp(inngest, [job, retried]);
  // The SDK registers itself with its hashed signing key, as a deployed app does.
  expect((await fetch(app.url, { method: "PUT" })).status).toBe(200);
});

afterAll(async () => {
  await app?.close();
  await server?.dispose();
});

/** Sends the job event and waits for its run to complete. */
async function runJob(jobId: string): Promise<string> {
  const { ids } = await inngest.send({ name: "rt/job", data: { jobId } });
  const [run] = await waitForEndedRuns(server.url, ids[0]!);
  expect(run!.status).toBe("Completed");
  return run!.run_id;
}

describe("realtime in production mode", () => {
  it("delivers a step's publish and a client publish to a subscribe() client over WebSocket", async () => {
    const jobId = `ws-${Date.now()}`;
    const token = await getSubscriptionToken(inngest, { channel: jobChannel(jobId), topics: ["progress"] });
    const received: { data: unknown; runId?: string; topic?: string }[] = [];
    const stream = await subscribe(token, (message) => {
      received.push(message);
    });
    try {
      const runId = await runJob(jobId);
      await inngest.realtime.publish(jobChannel(jobId).progress, { pct: 100 });
      await waitFor(() => (received.length >= 2 ? true : undefined), 30_000, "two realtime messages");
      expect(received.map((m) => m.data)).toEqual([{ pct: 50 }, { pct: 100 }]);
      expect(received[0]).toMatchObject({ topic: "progress", runId });
    } finally {
      stream.close();
    }
  });

  it("delivers a step's publish and a streamed publish to an SSE reader holding a token", async () => {
    const jobId = `sse-${Date.now()}`;
    const token = await inngest.realtime.token({ channel: jobChannel(jobId), topics: ["progress", "log"] });
    const res = await fetch(`${server.url}/v1/realtime/sse?token=${encodeURIComponent(token.key!)}`);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    /** The SSE events read so far, parsed. */
    const events = () =>
      text
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => JSON.parse(l.slice("data: ".length)) as Record<string, unknown>);
    const readUntil = async (done: () => boolean) => {
      while (!done()) text += (await reader.read()).value ?? "";
    };
    try {
      // The first keepalive says the subscription is open before anything is published.
      text += (await reader.read()).value ?? "";
      const runId = await runJob(jobId);
      await readUntil(() => events().length > 0);
      expect(events()[0]).toMatchObject({ kind: "data", channel: `job:${jobId}`, topic: "progress", data: { pct: 50 }, run_id: runId });

      // `publish()` given a ReadableStream posts it as `text/stream`; readers get it in chunks.
      const parts = ["line one\n", "line two\n"];
      const body = new ReadableStream<string>({
        start(controller) {
          for (const part of parts) controller.enqueue(part);
          controller.close();
        },
      }).pipeThrough(new TextEncoderStream());
      // The SDK's types name JSON data only; its publish() sends a ReadableStream as a stream.
      await inngest.realtime.publish(jobChannel(jobId).log, body as unknown as Record<string, unknown>);
      await readUntil(() => events().some((e) => e.kind === "datastream-end"));
      const streamed = events().slice(1);
      expect(streamed[0]).toMatchObject({ kind: "datastream-start", topic: "log" });
      expect(
        streamed
          .filter((e) => e.kind === "chunk")
          .map((e) => e.data)
          .join(""),
      ).toBe(parts.join(""));
    } finally {
      await reader.cancel();
    }
  });

  it("does not publish again when a later step of the run is retried", async () => {
    const jobId = `retry-${Date.now()}`;
    const received: unknown[] = [];
    const stream = await subscribe(await getSubscriptionToken(inngest, { channel: jobChannel(jobId), topics: ["progress"] }), (message) => {
      received.push(message.data);
    });
    try {
      const { ids } = await inngest.send({ name: "rt/retried", data: { jobId } });
      const [run] = await waitForEndedRuns(server.url, ids[0]!);
      expect(run!.status).toBe("Completed");
      // A marker published after the run ended: once it is here, any repeat of the step's message would be too.
      await inngest.realtime.publish(jobChannel(jobId).progress, { pct: 100 });
      await waitFor(() => (received.length >= 2 ? true : undefined), 30_000, "the marker");
      expect(received).toEqual([{ pct: 10 }, { pct: 100 }]);
    } finally {
      stream.close();
    }
  });

  it("refuses subscribers without a token stepflare signed, and tokens without the signing key", async () => {
    const channel = jobChannel("refused");
    const forged = await foreignToken(channel.name);
    for (const [key, reason] of [
      ["not-a-token", "the realtime subscription token is malformed"],
      [forged, "the realtime subscription token was not issued by this server"],
    ] as const) {
      const opened = await socketUrlsOf(() => subscribe({ channel, topics: ["progress"], key, apiBaseUrl: server.url }));
      await expect(opened.result).rejects.toBeDefined();
      // A WebSocket client sees no status: the same upgrade request, replayed, shows the refusal.
      expect(opened.urls).toHaveLength(1);
      expect(await upgradeAnswer(opened.urls[0]!)).toEqual({ status: 401, body: { error: reason, status: 401 } });
    }
    const sse = await fetch(`${server.url}/v1/realtime/sse`);
    expect(sse.status).toBe(401);
    expect(((await sse.json()) as { error: string }).error).toMatch(/a realtime subscription token is required/);
    const noKey = await fetch(`${server.url}/v1/realtime/token`, {
      method: "POST",
      body: JSON.stringify([{ channel: channel.name, name: "progress", kind: "run" }]),
    });
    expect(noKey.status).toBe(401);
  });
});

/** A well-formed HS256 token for `channel`, signed with a key that is not this server's. */
async function foreignToken(channel: string): Promise<string> {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${part({ alg: "HS256", typ: "JWT" })}.${part({ iss: "stepflare", iat: now, exp: now + 60, jti: "x", channel, topics: ["progress"] })}`;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode("another server's key"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(unsigned));
  return `${unsigned}.${Buffer.from(mac).toString("base64url")}`;
}

/** Runs `open` while recording the URLs of the WebSockets it opens. */
async function socketUrlsOf<T>(open: () => Promise<T>): Promise<{ urls: string[]; result: Promise<T> }> {
  const urls: string[] = [];
  const Original = globalThis.WebSocket;
  globalThis.WebSocket = class extends Original {
    constructor(url: string | URL, protocols?: string | string[]) {
      urls.push(String(url));
      super(url, protocols);
    }
  };
  try {
    const result = open();
    // Settled here so the rejection is awaited by the caller, not reported as unhandled.
    await result.catch(() => undefined);
    return { urls, result };
  } finally {
    globalThis.WebSocket = Original;
  }
}

/** The status and JSON body a WebSocket upgrade request to `wsUrl` is answered with, when refused. */
function upgradeAnswer(wsUrl: string): Promise<{ status: number; body: unknown }> {
  const url = new URL(wsUrl.replace(/^ws/, "http"));
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": randomBytes(16).toString("base64") },
    });
    req.on("upgrade", (_res, socket) => {
      socket.destroy();
      reject(new Error("the upgrade was accepted"));
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on("error", reject);
    req.end();
  });
}

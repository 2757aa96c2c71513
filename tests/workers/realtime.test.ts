/**
 * Realtime in workerd: a channel's object fans a publish out only to the sockets tagged with its
 * topic; through the Worker a token's channel and topics bound what its subscriber gets, over
 * WebSocket and SSE; a token that is missing, forged, expired or of another key is refused; a
 * message over REALTIME_MAX_MESSAGE_BYTES is refused with a 413; production mode wants the
 * signing key to mint a token or publish.
 */
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { app } from "../../src/api/app";
import { REALTIME_MAX_MESSAGE_BYTES, REALTIME_MAX_STREAM_BYTES, REALTIME_TOKEN_TTL_MS } from "../../src/constants";
import { hashSigningKey } from "../../src/protocol/signing";
import { acceptSubscriber, type SocketHost, subscribeUrl } from "../../src/realtime/subscribers";
import { mintToken, verifyToken } from "../../src/realtime/token";
import { tokenSecrets } from "../../src/realtime/token-keys";
import { SCHEDULER_NAME } from "../../src/cron/heartbeat";
import { waitFor } from "./helpers/wait";
import { workerFetch } from "./helpers/worker";

const KEY = "signkey-prod-0123456789abcdef0123456789abcdef";
const FALLBACK = "signkey-prod-fedcba9876543210fedcba9876543210";
const PROD = { ...env, INNGEST_SIGNING_KEY: KEY, INNGEST_SIGNING_KEY_FALLBACK: FALLBACK };

afterAll(async () => {
  await runInDurableObject(env.SCHEDULER.getByName(SCHEDULER_NAME), (_instance, state) => state.storage.deleteAlarm());
});

/** A subscriber's accepted socket and the message texts it has received so far. */
function listen(res: Response): { socket: WebSocket; received: string[] } {
  expect(res.status).toBe(101);
  const socket = res.webSocket!;
  const received: string[] = [];
  socket.addEventListener("message", (e) => {
    received.push(e.data as string);
  });
  socket.accept();
  return { socket, received };
}

async function token(channel: string, topics: string[]): Promise<string> {
  const res = await workerFetch("/v1/realtime/token", { method: "POST", body: JSON.stringify(topics.map((name) => ({ channel, name, kind: "run" }))) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { jwt: string }).jwt;
}

function publish(channel: string, topic: string, body: string): Promise<Response> {
  return workerFetch(`/v1/realtime/publish?channel=${encodeURIComponent(channel)}&topic=${encodeURIComponent(topic)}&run_id=01RUN`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body,
  });
}

const dataOf = (text: string) => (JSON.parse(text) as { data: unknown }).data;

describe("a channel's object", () => {
  it("delivers a publish to the sockets of its topic only", async () => {
    const stub = env.REALTIME.getByName("object-channel");
    const a = listen(await stub.fetch(subscribeUrl(["a"]), { headers: { Upgrade: "websocket" } }));
    const ab = listen(await stub.fetch(subscribeUrl(["a", "b"]), { headers: { Upgrade: "websocket" } }));
    expect(await stub.publish([{ topic: "b", message: "to-b" }])).toBe(1);
    expect(await stub.publish([{ topic: "a", message: "to-a" }])).toBe(2);
    await waitFor("both deliveries", async () => (a.received.length === 1 && ab.received.length === 2) || undefined);
    expect(a.received).toEqual(["to-a"]);
    expect(ab.received).toEqual(["to-b", "to-a"]);
    a.socket.close(1000);
    // A closed socket leaves the topic's fan-out once its close reaches the object.
    await waitFor("the closed socket to leave", async () => (await stub.publish([{ topic: "a", message: "after" }])) === 1 || undefined);
    ab.socket.close(1000);
  });

  it("answers 429 when the runtime holds no more sockets for the object", () => {
    const full: SocketHost = {
      acceptWebSocket: () => {
        throw new Error("too many WebSockets");
      },
      getWebSockets: () => [],
    };
    const res = acceptSubscriber(full, new Request(subscribeUrl(["a"]), { headers: { Upgrade: "websocket" } }));
    expect(res.status).toBe(429);
  });

  it("refuses a subscription that is no WebSocket upgrade or names too many topics", async () => {
    const stub = env.REALTIME.getByName("object-channel");
    expect((await stub.fetch(subscribeUrl(["a"]))).status).toBe(400);
    // Topics become the socket's tags: at most 10, distinct.
    const tooMany = Array.from({ length: 11 }, (_, i) => `t${i}`);
    expect((await stub.fetch(subscribeUrl(tooMany), { headers: { Upgrade: "websocket" } })).status).toBe(400);
    expect((await stub.fetch(subscribeUrl(["a", "a"]), { headers: { Upgrade: "websocket" } })).status).toBe(400);
  });
});

describe("subscriptions through the Worker", () => {
  it("gives a WebSocket subscriber only its token's channel and topics", async () => {
    const jwt = await token("chan-1", ["status"]);
    const sub = listen(await workerFetch(`/v1/realtime/connect?token=${jwt}`, { headers: { Upgrade: "websocket" } }));
    expect((await publish("chan-1", "other", '{"n":0}')).status).toBe(200);
    expect((await publish("chan-2", "status", '{"n":0}')).status).toBe(200);
    const res = await publish("chan-1", "status", '{"n":1}');
    expect(await res.json()).toEqual({ data: { subscribers: 1 } });
    expect((await publish("chan-1", "status", "plain text")).status).toBe(200);
    await waitFor("two messages", async () => sub.received.length >= 2 || undefined);
    // Same-socket order: had "other" or chan-2 been delivered they would come first.
    expect(sub.received.map(dataOf)).toEqual([{ n: 1 }, "plain text"]);
    expect(JSON.parse(sub.received[0]!)).toMatchObject({ kind: "data", channel: "chan-1", topic: "status", run_id: "01RUN" });
    sub.socket.close(1000);
  });

  it("streams to an SSE subscriber", async () => {
    const jwt = await token("chan-sse", ["t"]);
    const res = await workerFetch(`/v1/realtime/sse?token=${jwt}`);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = (await reader.read()).value ?? "";
    await publish("chan-sse", "t", '{"hello":"sse"}');
    while (!text.includes("data: ")) text += (await reader.read()).value ?? "";
    const line = text.split("\n").find((l) => l.startsWith("data: "))!;
    expect(JSON.parse(line.slice(6))).toMatchObject({ kind: "data", channel: "chan-sse", topic: "t", data: { hello: "sse" } });
    await reader.cancel();
  });

  it("refuses a missing, forged, expired or foreign token", async () => {
    const good = await token("chan-x", ["t"]);
    const [devSecret] = await tokenSecrets(env);
    const [prodSecret] = await tokenSecrets(PROD);
    const expired = await mintToken({ channel: "chan-x", topics: ["t"] }, devSecret!, Date.now() - REALTIME_TOKEN_TTL_MS - 1000);
    const foreign = await mintToken({ channel: "chan-x", topics: ["t"] }, prodSecret!, Date.now());
    const [head, , sig] = good.split(".");
    const widened = `${head}.${btoa(JSON.stringify({ iss: "stepflare", iat: 0, exp: 9e9, jti: "x", channel: "chan-x", topics: ["t", "secret"] })).replace(/=+$/, "")}.${sig}`;
    for (const bad of ["", "garbage", expired, foreign, widened]) {
      const res = await workerFetch(`/v1/realtime/connect?token=${encodeURIComponent(bad)}`, { headers: { Upgrade: "websocket" } });
      expect(res.status, bad).toBe(401);
    }
    expect((await workerFetch(`/v1/realtime/connect?token=${good}`)).status).toBe(426);
  });

  it("refuses a token for topics of two channels, or too many topics", async () => {
    const two = [
      { channel: "a", name: "t" },
      { channel: "b", name: "t" },
    ];
    expect((await workerFetch("/v1/realtime/token", { method: "POST", body: JSON.stringify(two) })).status).toBe(400);
    const many = Array.from({ length: 11 }, (_, i) => ({ channel: "a", name: `t${i}` }));
    expect((await workerFetch("/v1/realtime/token", { method: "POST", body: JSON.stringify(many) })).status).toBe(400);
  });
});

describe("message size", () => {
  it("accepts a message of REALTIME_MAX_MESSAGE_BYTES and refuses one byte more with a 413", async () => {
    const atLimit = JSON.stringify("x".repeat(REALTIME_MAX_MESSAGE_BYTES - 2));
    expect((await publish("size", "t", atLimit)).status).toBe(200);
    const over = await publish("size", "t", JSON.stringify("x".repeat(REALTIME_MAX_MESSAGE_BYTES - 1)));
    expect(over.status).toBe(413);
    expect(((await over.json()) as { error: string }).error).toBe(
      `realtime message is ${REALTIME_MAX_MESSAGE_BYTES + 1} bytes; the limit is ${REALTIME_MAX_MESSAGE_BYTES} bytes`,
    );
  });
});

describe("streamed publishing", () => {
  /** Posts `body` as the SDK posts a ReadableStream, in pieces with no declared length. */
  function publishStreamed(channel: string, body: string): Promise<Response> {
    const bytes = new TextEncoder().encode(body);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        // Pieces of 1,000 bytes: some cut a three-byte character in two.
        for (let at = 0; at < bytes.length; at += 1000) controller.enqueue(bytes.slice(at, at + 1000));
        controller.close();
      },
    });
    return workerFetch(`/v1/realtime/publish?channel=${channel}&topic=t`, { method: "POST", headers: { "Content-Type": "text/stream" }, body: stream });
  }

  it("relays the body as a stream start, its text in chunks, and the stream end", async () => {
    const sub = listen(await workerFetch(`/v1/realtime/connect?token=${await token("chan-stream", ["t"])}`, { headers: { Upgrade: "websocket" } }));
    const body = "héllo → wörld ".repeat(300);
    expect((await publishStreamed("chan-stream", body)).status).toBe(200);
    await waitFor("the stream's end", async () => sub.received.some((m) => m.includes('"datastream-end"')) || undefined);
    const messages = sub.received.map((m) => JSON.parse(m) as { kind: string; data: string; stream_id?: string; channel: string; topic: string });
    const [start, ...rest] = messages;
    const end = rest.pop()!;
    expect(start).toMatchObject({ kind: "datastream-start", channel: "chan-stream", topic: "t" });
    expect(end).toMatchObject({ kind: "datastream-end", data: start!.data });
    expect(rest.every((m) => m.kind === "chunk" && m.stream_id === start!.data && m.topic === "t")).toBe(true);
    expect(rest.length).toBeGreaterThan(1);
    expect(rest.map((m) => m.data).join("")).toBe(body);
    sub.socket.close(1000);
  });

  it("ends a stream over REALTIME_MAX_STREAM_BYTES and answers 413", async () => {
    const sub = listen(await workerFetch(`/v1/realtime/connect?token=${await token("chan-big-stream", ["t"])}`, { headers: { Upgrade: "websocket" } }));
    const res = await publishStreamed("chan-big-stream", "x".repeat(REALTIME_MAX_STREAM_BYTES + 1));
    expect(res.status).toBe(413);
    await waitFor("the stream's end", async () => sub.received.some((m) => m.includes('"datastream-end"')) || undefined);
    const chunks = sub.received.map((m) => JSON.parse(m) as { kind: string; data: string }).filter((m) => m.kind === "chunk");
    expect(chunks.map((m) => m.data).join("").length).toBe(REALTIME_MAX_STREAM_BYTES);
    sub.socket.close(1000);
  });
});

describe("production mode", () => {
  async function prod(path: string, init: RequestInit = {}): Promise<Response> {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`https://stepflare.example${path}`, init), PROD, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }
  const body = JSON.stringify([{ channel: "p", name: "t", kind: "run" }]);

  it("mints tokens and accepts publishes only with the signing key", async () => {
    expect((await prod("/v1/realtime/token", { method: "POST", body })).status).toBe(401);
    expect((await prod("/v1/realtime/publish?channel=p&topic=t", { method: "POST", body: "{}" })).status).toBe(401);
    const auth = { Authorization: `Bearer ${await hashSigningKey(FALLBACK)}` };
    expect((await prod("/v1/realtime/publish?channel=p&topic=t", { method: "POST", body: "{}", headers: auth })).status).toBe(200);
    const minted = await prod("/v1/realtime/token", { method: "POST", body, headers: auth });
    expect(minted.status).toBe(201);
    const { jwt } = (await minted.json()) as { jwt: string };
    // Signed with the primary key's secret, still valid once the primary becomes the fallback.
    const rotated = await tokenSecrets({ INNGEST_SIGNING_KEY: "signkey-prod-new", INNGEST_SIGNING_KEY_FALLBACK: KEY });
    expect(await verifyToken(jwt, rotated, Date.now())).toEqual({ ok: true, subscription: { channel: "p", topics: ["t"] } });
    expect((await verifyToken(jwt, await tokenSecrets(env), Date.now())).ok).toBe(false);
    expect((await prod(`/v1/realtime/connect?token=${jwt}`, { headers: { Upgrade: "websocket" } })).status).toBe(101);
    expect((await prod("/v1/realtime/connect", { headers: { Upgrade: "websocket" } })).status).toBe(401);
  });
});

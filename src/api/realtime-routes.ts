/**
 * Realtime, as the SDK uses it: `POST /v1/realtime/publish` (`step.realtime.publish`,
 * `inngest.realtime.publish`), `POST /v1/realtime/token` (`getSubscriptionToken`, and
 * `subscribe()` without a key), and subscriptions with a token over WebSocket
 * (`GET /v1/realtime/connect`, what `subscribe()` opens) or SSE (`GET /v1/realtime/sse`). Each
 * channel is one RealtimeObject. Publishing and minting tokens need the signing key in production
 * mode (the API gate, auth.ts); subscribing needs a token in both modes, as with Inngest.
 * @module
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { REALTIME_MAX_MESSAGE_BYTES, REALTIME_MAX_STREAM_BYTES, REALTIME_MAX_TOPICS } from "../constants";
import type { Env } from "../env";
import { publishQuery, tooLargeMessage, wireMessage, type PublishTarget } from "../realtime/message";
import { sseFromSocket } from "../realtime/sse";
import { subscribeUrl } from "../realtime/subscribers";
import { mintToken, realtimeName, TOKEN_REFUSALS, verifyToken, type Subscription } from "../realtime/token";
import { tokenSecrets } from "../realtime/token-keys";
import { readBodyText } from "../util/body-limit";
import { describeIssues, fail, jsonBody } from "./respond";
import { endpointStreamSse, teeRoute } from "./endpoint-stream";
import { isRunStream, RUN_STREAM_TOPIC } from "../realtime/run-stream";

/** Routes for realtime; mount at the root of the Worker's Hono app. */
export const realtimeRoutes = new Hono<{ Bindings: Env }>();

type Ctx = Context<{ Bindings: Env }>;

/** Only a durable endpoint run's own token grants its stream, and only the SDK's tee feeds it. */
const RESERVED_TOPIC = `the topic ${RUN_STREAM_TOPIC} is reserved for durable endpoint streams`;

/** The body the SDK posts for a token: one entry per topic, all of one channel. */
const tokenBody = z
  .array(z.object({ channel: realtimeName, name: realtimeName, kind: z.string().optional() }))
  .min(1)
  .max(REALTIME_MAX_TOPICS)
  .refine((topics) => topics.every((t) => t.channel === topics[0]!.channel), "every topic of a token must be of one channel")
  .refine((topics) => topics.every((t) => t.name !== RUN_STREAM_TOPIC), RESERVED_TOPIC);

realtimeRoutes.post("/v1/realtime/token", async (c) => {
  const raw = await jsonBody(c);
  if (!raw.ok) return fail(c, raw.status, raw.error);
  const parsed = tokenBody.safeParse(raw.value);
  if (!parsed.success) return fail(c, 400, describeIssues(parsed.error));
  const subscription = { channel: parsed.data[0]!.channel, topics: [...new Set(parsed.data.map((t) => t.name))] };
  const [secret] = await tokenSecrets(c.env);
  // 201 and `{ jwt }`, as Inngest answers and the SDK reads.
  return c.json({ jwt: await mintToken(subscription, secret!, Date.now()) }, 201);
});

realtimeRoutes.post("/v1/realtime/publish", async (c) => {
  const query = publishQuery.safeParse({ channel: c.req.query("channel"), topics: c.req.queries("topic") ?? [], run_id: c.req.query("run_id") });
  if (!query.success) return fail(c, 400, describeIssues(query.error));
  if (query.data.topics.includes(RUN_STREAM_TOPIC)) return fail(c, 400, RESERVED_TOPIC);
  if (c.req.header("Content-Type")?.toLowerCase().startsWith("text/stream")) return publishStreamed(c, query.data);
  const body = await readBodyText(c, REALTIME_MAX_MESSAGE_BYTES);
  if (!body.ok) return fail(c, body.status, body.status === 413 ? tooLargeMessage(c.req.header("content-length")) : body.error);
  const now = Date.now();
  const messages = [...new Set(query.data.topics)].map((topic) => ({ topic, message: wireMessage(query.data, topic, body.text, now) }));
  const subscribers = await c.env.REALTIME.getByName(query.data.channel).publish(messages);
  return c.json({ data: { subscribers } });
});

/** A streamed publish (the SDK given a ReadableStream), relayed by the channel's object as it arrives. */
async function publishStreamed(c: Ctx, target: PublishTarget): Promise<Response> {
  if (new Set(target.topics).size !== 1) return fail(c, 400, "a streamed realtime publish goes to exactly one topic");
  const body = c.req.raw.body ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
  const outcome = await c.env.REALTIME.getByName(target.channel).publishStream(target, body);
  if (outcome.ended === "too-large") {
    return fail(
      c,
      413,
      `streamed realtime message is over ${REALTIME_MAX_STREAM_BYTES} bytes; subscribers got its first ${outcome.bytes} bytes and the end of the stream`,
    );
  }
  if (outcome.ended === "body-failed")
    return fail(c, 400, `the streamed body failed after ${outcome.bytes} bytes; subscribers got those and the end of the stream`);
  return c.json({ data: { bytes: outcome.bytes } });
}

/** The subscription a request's token grants, or the 401 that refuses it. */
async function subscriptionOf(c: Ctx): Promise<Subscription | Response> {
  const bearer = /^Bearer (.+)$/.exec(c.req.header("Authorization") ?? "")?.[1];
  const check = await verifyToken(c.req.query("token") ?? bearer, await tokenSecrets(c.env), Date.now());
  return check.ok ? check.subscription : fail(c, 401, TOKEN_REFUSALS[check.reason]);
}

/** A WebSocket subscription on the channel's object, or the object's refusal as a JSON error. */
async function openSubscription(c: Ctx, subscription: Subscription): Promise<WebSocket | Response> {
  const opened = await c.env.REALTIME.getByName(subscription.channel).fetch(subscribeUrl(subscription.topics), { headers: { Upgrade: "websocket" } });
  return opened.webSocket ?? fail(c, opened.status === 429 ? 429 : 400, await opened.text());
}

// A durable endpoint run's stream after the server took it over (the SDK's checkpointStream).
realtimeRoutes.post("/v1/realtime/publish/tee", teeRoute);

realtimeRoutes.get("/v1/realtime/connect", async (c) => {
  const subscription = await subscriptionOf(c);
  if (subscription instanceof Response) return subscription;
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket")
    return fail(c, 426, "GET /v1/realtime/connect is a WebSocket endpoint; send an Upgrade: websocket request");
  const opened = await openSubscription(c, subscription);
  if (opened instanceof Response) return opened;
  // A fresh Response: the object's answer has immutable headers the app's middleware adds to.
  return new Response(null, { status: 101, webSocket: opened });
});

realtimeRoutes.get("/v1/realtime/sse", async (c) => {
  const subscription = await subscriptionOf(c);
  if (subscription instanceof Response) return subscription;
  if (!isRunStream(subscription)) {
    const opened = await openSubscription(c, subscription);
    return opened instanceof Response ? opened : sseFromSocket(opened);
  }
  const run = () => c.env.RUNS.getByName(subscription.channel);
  // A valid token of a run that is not there: its storage was deleted after the retention.
  if ((await run().status()) === null) return fail(c, 404, `no run ${subscription.channel}: it may have ended longer ago than the retention`);
  const opened = await openSubscription(c, subscription);
  // A fresh stub for each look over the stream's minutes: a stub that once threw (the object
  // was reset, as by a deploy) fails every later call, and the stored result would never come.
  return opened instanceof Response ? opened : endpointStreamSse(opened, () => run().result());
});

/**
 * An app Worker served with the official `inngest` SDK (v4, `inngest/hono`), run by
 * stepflare over Service Bindings in both directions. See the README's "Deploy" section.
 * @module
 */
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { Inngest } from "inngest";
import { serve } from "inngest/hono";

/** What this Worker is bound to (wrangler.toml) and the secrets it reads. */
interface AppEnv {
  /** stepflare, through a Service Binding. */
  STEPFLARE: Fetcher;
  INNGEST_SIGNING_KEY?: string;
  INNGEST_EVENT_KEY?: string;
}

const bindings = env as unknown as AppEnv;

/**
 * Everything the SDK sends to the server (events, checkpoints, `/fn/register`) goes through the
 * client's `fetch`, here the STEPFLARE binding. A binding ignores the URL's host and delivers the
 * request to the bound Worker as is, so `baseUrl` only has to give the SDK an origin to build paths
 * on; stepflare's public URL works, and so does this placeholder.
 */
export const inngest = new Inngest({
  id: "worker-app",
  baseUrl: "https://stepflare.internal",
  fetch: (input, init) => bindings.STEPFLARE.fetch(input, init),
});

/** Invoked by `order-flow`; its return value becomes the invoking step's result. */
const receipt = inngest.createFunction({ id: "receipt", triggers: [{ event: "order/receipt.requested" }] }, async ({ event, step }) => {
  return step.run("render", () => `receipt for order ${String(event.data.orderId)}: ${String(event.data.total)}`);
});

/** Steps, a sleep, a wait for another event, an invoke, and an event sent with the client. */
const orderFlow = inngest.createFunction({ id: "order-flow", triggers: [{ event: "order/placed" }] }, async ({ event, step }) => {
  const orderId = String(event.data.orderId);
  const reserved = await step.run("reserve", () => ({ orderId, items: Number(event.data.items) }));
  const total = await step.run("price", () => reserved.items * 7);
  await step.sleep("cool-off", "1s");
  const shipped = await step.waitForEvent("wait-shipped", { event: "order/shipped", match: "data.orderId", timeout: "5m" });
  const text = await step.invoke("receipt", { function: receipt, data: { orderId, total } });
  // `inngest.send` goes through the client's fetch, so through the STEPFLARE binding too.
  const sent = await step.run("announce", () => inngest.send({ name: "order/completed", data: { orderId, total } }));
  return { total, carrier: shipped?.data.carrier ?? null, receipt: text, completedEventId: sent.ids[0] };
});

/** Runs for each `order/completed` event the function above sends. */
const onCompleted = inngest.createFunction({ id: "on-completed", triggers: [{ event: "order/completed" }] }, async ({ event }) => {
  return { orderId: event.data.orderId };
});

/** The Inngest endpoint at `/api/inngest`: the URL stepflare syncs and calls (through the binding). */
const app = new Hono<{ Bindings: AppEnv }>();
app.on(["GET", "PUT", "POST"], "/api/inngest", serve({ client: inngest, functions: [orderFlow, receipt, onCompleted] }));

export default app;

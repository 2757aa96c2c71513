/**
 * stepflare's Worker with an app's functions inside it: the official `inngest` SDK (v4,
 * `inngest/cloudflare`) served in-process, run by the `local` transport. A run calls the serve
 * handler as a function, and the SDK calls stepflare's handler the same way: no HTTP hop either
 * way. Point `main` in stepflare's wrangler.toml here (README, "Functions in the same Worker").
 * @module
 */
import { env } from "cloudflare:workers";
import { Inngest } from "inngest";
import { serve } from "inngest/cloudflare";
import { stepflare, stepflareFetch } from "../../../src/local";

// stepflare's Durable Object classes, exported by this entry module as wrangler.toml binds them.
export * from "../../../src/local/durable-objects";

/**
 * The SDK shares stepflare's env: with INNGEST_SIGNING_KEY set (production mode) it verifies the
 * signature of each call and signs its own requests with it; without one, both sides run in dev
 * mode. `fetch: stepflareFetch` carries events, checkpoints and syncs to stepflare in-process, so
 * `baseUrl` is only an origin for the SDK to build paths on.
 */
export const inngest = new Inngest({
  id: "local-app",
  isDev: !(env as { INNGEST_SIGNING_KEY?: string }).INNGEST_SIGNING_KEY,
  baseUrl: "http://stepflare.invalid",
  fetch: stepflareFetch,
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
  // `inngest.send` goes through stepflareFetch, so in-process too.
  const sent = await step.run("announce", () => inngest.send({ name: "order/completed", data: { orderId, total } }));
  return { total, carrier: shipped?.data.carrier ?? null, receipt: text, completedEventId: sent.ids[0] };
});

/** Runs for each `order/completed` event the function above sends. */
const onCompleted = inngest.createFunction({ id: "on-completed", triggers: [{ event: "order/completed" }] }, async ({ event }) => {
  return { orderId: event.data.orderId };
});

/**
 * stepflare's handlers, with this app registered as `local-app`: sync it once with
 * `POST /v0/apps/sync {"url":"local://local-app/api/inngest"}`.
 */
export default stepflare({ apps: { "local-app": serve({ client: inngest, functions: [orderFlow, receipt, onCompleted] }) } });

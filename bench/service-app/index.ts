/**
 * The bench's app Worker for the `service` transport: the same 10-step function as bench/local,
 * in a Worker of its own, bound to stepflare both ways (README, "Apps that are Workers"). The
 * run's output carries its timestamps, as in bench/local.
 * @module
 */
import { env } from "cloudflare:workers";
import { Inngest } from "inngest";
import { serve } from "inngest/cloudflare";

const bindings = env as unknown as { STEPFLARE: Fetcher; INNGEST_SIGNING_KEY?: string };

const inngest = new Inngest({
  id: "stepflare-bench-service",
  isDev: !bindings.INNGEST_SIGNING_KEY,
  baseUrl: "https://stepflare.internal",
  fetch: (input, init) => bindings.STEPFLARE.fetch(input, init),
});

// `data.steps` no-op steps (bench/lib/config.mjs STEP_COUNT), each returning when its code ran.
const tenSteps = inngest.createFunction({ id: "ten-steps", retries: 0, triggers: [{ event: "bench/ten-steps" }] }, async ({ event, step }) => {
  const startedAt: number[] = [];
  for (let i = 0; i < Number(event.data.steps); i++) {
    startedAt.push(await step.run(`step-${i}`, () => Date.now()));
  }
  return { startedAt, finishedAt: Date.now() };
});

export default { fetch: serve({ client: inngest, functions: [tenSteps] }) };

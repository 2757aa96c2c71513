/**
 * The bench's in-process app: stepflare's Worker with the official SDK's serve handler inside it
 * (the `local` transport, src/local/), served by `npm run dev` with `main` pointed here. The step
 * code cannot report to the bench process, so the run's output carries its timestamps.
 * @module
 */
import { env } from "cloudflare:workers";
import { Inngest } from "inngest";
import { serve } from "inngest/cloudflare";
import { stepflare, stepflareFetch } from "../../src/local";

export * from "../../src/local/durable-objects";

const inngest = new Inngest({
  id: "stepflare-bench-local",
  isDev: !(env as { INNGEST_SIGNING_KEY?: string }).INNGEST_SIGNING_KEY,
  baseUrl: "http://stepflare.invalid",
  fetch: stepflareFetch,
});

// `data.steps` no-op steps (bench/lib/config.mjs STEP_COUNT), each returning when its code ran.
const tenSteps = inngest.createFunction({ id: "ten-steps", retries: 0, triggers: [{ event: "bench/ten-steps" }] }, async ({ event, step }) => {
  const startedAt: number[] = [];
  for (let i = 0; i < Number(event.data.steps); i++) {
    // Memoised on replay, so each value is the moment that step's code first ran.
    startedAt.push(await step.run(`step-${i}`, () => Date.now()));
  }
  return { startedAt, finishedAt: Date.now() };
});

export default stepflare({ apps: { "bench-local": serve({ client: inngest, functions: [tenSteps] }) } });

/**
 * The bench's Inngest app: the official SDK served over node:http, reporting to the bench
 * process over IPC the moments its step code runs. Started by bench/lib/app.mjs with
 * INNGEST_DEV pointing at the stepflare dev server and BENCH_APP_PORT set.
 */
import http from "node:http";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { EVENTS, STEP_COUNT } from "../lib/config.mjs";

const SERVE_PATH = "/api/inngest";
const port = Number(process.env.BENCH_APP_PORT);

const inngest = new Inngest({ id: "stepflare-bench" });

// No retries: a failing run is a server bug to report, not something to wait out.
const firstStep = inngest.createFunction(
  { id: "first-step", retries: 0, triggers: [{ event: EVENTS.firstStep }] },
  async ({ event, step }) => {
    await step.run("record", () => {
      process.send({ type: "first-step", seq: event.data.seq, latencyMs: Date.now() - event.data.sentAt });
      return null;
    });
  },
);

const tenSteps = inngest.createFunction(
  { id: "ten-steps", retries: 0, triggers: [{ event: EVENTS.tenSteps }] },
  async ({ event, step }) => {
    const startedAt = [];
    for (let i = 0; i < STEP_COUNT; i++) {
      // Memoised on replay, so each value is the moment that step's code first ran.
      startedAt.push(await step.run(`step-${i}`, () => Date.now()));
    }
    process.send({ type: "ten-steps", seq: event.data.seq, startedAt, finishedAt: Date.now() });
    return { startedAt };
  },
);

// An explicit origin and path, so the URL the SDK registers is the one the bench synced.
const handler = serve({
  client: inngest,
  functions: [firstStep, tenSteps],
  serveOrigin: `http://127.0.0.1:${port}`,
  servePath: SERVE_PATH,
});

// Calls the server made to the app and the time the SDK took to answer them, so the bench can
// tell how much of each step's gap is the app's and how much the server's.
let calls = { count: 0, ms: 0 };
process.on("message", (message) => {
  if (message.type !== "calls") return;
  process.send({ type: "calls", seq: message.seq, ...calls });
  calls = { count: 0, ms: 0 };
});

http
  .createServer((req, res) => {
    if (!req.url?.startsWith(SERVE_PATH)) return res.writeHead(404).end();
    if (req.method === "POST") {
      const started = performance.now();
      res.once("finish", () => {
        calls.count++;
        calls.ms += performance.now() - started;
      });
    }
    return handler(req, res);
  })
  .listen(port, "127.0.0.1", () => process.send({ type: "ready", seq: 0 }));

/**
 * Runs the bench's Inngest app (bench/app/server.mjs) as a child process and collects what its
 * steps report over IPC.
 * @module
 */
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort, startNode, stop } from "./processes.mjs";

const APP_SCRIPT = fileURLToPath(new URL("../app/server.mjs", import.meta.url));
const READY_TIMEOUT_MS = 15_000;

/** Start the app against the server at `serverOrigin`; resolves once it is listening. */
export async function startApp(serverOrigin, logPath) {
  const port = await freePort();
  const handle = startNode("app", APP_SCRIPT, [], {
    env: { ...process.env, INNGEST_DEV: serverOrigin, BENCH_APP_PORT: String(port) },
    logPath,
    ipc: true,
  });
  // Messages are keyed by type and seq; only the first is kept, so a step re-run on replay
  // cannot overwrite the time it first ran. Later ones are counted: every message the app sends
  // from step code is sent once per execution of that code, so a repeat is a step that ran twice.
  const reports = new Map();
  const byType = new Map();
  const repeats = new Map();
  const waiters = new Map();
  handle.child.on("message", (message) => {
    const key = `${message.type}:${message.seq}`;
    if (reports.has(key)) {
      repeats.set(message.type, (repeats.get(message.type) ?? 0) + 1);
      return;
    }
    reports.set(key, message);
    if (!byType.has(message.type)) byType.set(message.type, []);
    byType.get(message.type).push(message);
    waiters.get(key)?.(message);
  });

  /** The message of `type` for `seq`, or null if none arrives within `timeoutMs`. */
  async function report(type, seq, timeoutMs) {
    const key = `${type}:${seq}`;
    if (reports.has(key)) return reports.get(key);
    const arrived = new Promise((resolve) => waiters.set(key, resolve));
    const result = await Promise.race([arrived, sleep(timeoutMs, null), handle.exited.then(() => null)]);
    waiters.delete(key);
    return result;
  }

  if (!(await report("ready", 0, READY_TIMEOUT_MS))) throw new Error(`the bench app did not start; see ${logPath}`);

  let callsSeq = 0;
  return {
    url: `http://127.0.0.1:${port}/api/inngest`,
    report,
    /** `{ count, ms }` of SDK calls the app answered since the last time this was asked. */
    async takeCalls() {
      const seq = ++callsSeq;
      handle.child.send({ type: "calls", seq });
      const calls = await report("calls", seq, READY_TIMEOUT_MS);
      if (!calls) throw new Error("the bench app did not report its calls");
      return calls;
    },
    /** Every first message of `type` so far, in arrival order (the array is live; copy to keep). */
    reportsOf: (type) => byType.get(type) ?? [],
    /** How many messages of `type` repeated a seq already reported (steps that ran twice). */
    repeatsOf: (type) => repeats.get(type) ?? 0,
    stop: () => stop(handle),
  };
}

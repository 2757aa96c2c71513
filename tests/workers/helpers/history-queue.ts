import { env } from "cloudflare:workers";
import { vi } from "vitest";
import type { HistoryMessage } from "../../../src/runner/history-message";
import { rows } from "./d1";
import { waitFor } from "./wait";

/** Messages sent to the history Queue through the tests' `env` since `watchHistoryQueue`. */
const sent: HistoryMessage[] = [];

/**
 * Records every message sent to the history Queue through the tests' `env` (routing run in the
 * test), passing it on to the real Queue. Install before routing anything.
 */
export function watchHistoryQueue(): void {
  if (vi.isMockFunction(env.HISTORY.sendBatch)) return;
  const original = env.HISTORY.sendBatch.bind(env.HISTORY);
  vi.spyOn(env.HISTORY, "sendBatch").mockImplementation(async (messages, options) => {
    for (const m of messages) sent.push(m.body);
    return original(messages, options);
  });
}

/**
 * Waits until D1 has every `queued` run and skipped run routing sent to the history Queue so far:
 * the consumer writes them shortly after, not in the routing call.
 */
export async function routedHistoryWritten(): Promise<void> {
  const queued = [...new Set(sent.flatMap((m) => (m.kind === "queued_runs" ? m.runs.map((r) => r.runId) : [])))];
  const skipped = sent.flatMap((m) => (m.kind === "skipped_runs" ? m.skips.map((s) => ({ eventId: s.eventId, functionId: s.functionId })) : []));
  const skipKeys = new Set(skipped.map((s) => `${s.eventId}/${s.functionId}`));
  await waitFor("routed runs and skips to reach D1", async () => {
    const [runs] = await rows<{ n: number }>("SELECT count(*) AS n FROM runs WHERE id IN (SELECT value FROM json_each(?))", JSON.stringify(queued));
    const [skips] = await rows<{ n: number }>(
      `SELECT count(*) AS n FROM skipped_runs WHERE event_id || '/' || function_id IN (SELECT value FROM json_each(?))`,
      JSON.stringify([...skipKeys]),
    );
    return runs!.n === queued.length && skips!.n === skipKeys.size ? true : undefined;
  });
}

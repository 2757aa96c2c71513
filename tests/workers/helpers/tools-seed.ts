/**
 * History for the REST v2 and GraphQL tests: one synced app with two functions, an event that
 * started a completed run (two steps) and a failed one (a failed step), and a running run of
 * another event, all at fixed past times so every answer is exact.
 */
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { saveApp } from "../../../src/sync/store";
import type { FunctionConfig } from "../../../src/sync/function-config";
import { seedEvents, seedRuns, type SeededEvent } from "./history";

/** The seeded ids and times. */
export interface ToolsSeed {
  appId: string;
  t0: number;
  order: SeededEvent;
  other: SeededEvent;
  completedRun: string;
  failedRun: string;
  runningRun: string;
}

function fn(appId: string, slug: string, extra: Partial<FunctionConfig> = {}): FunctionConfig {
  const id = `${appId}-${slug}`;
  return {
    id,
    name: `${slug} function`,
    triggers: [{ event: "tools/order" }],
    steps: { step: { id: "step", name: "step", runtime: { type: "http", url: `http://tools.test/api?fnId=${id}&stepId=step` } } },
    ...extra,
  } as FunctionConfig;
}

/** Seeds the history under `appId`, starting at `t0`. */
export async function seedToolsHistory(appId: string, t0: number): Promise<ToolsSeed> {
  await saveApp(
    env.DB,
    { id: appId, url: "http://tools.test/api", sdk: "js:v4.24.0", framework: "hono" },
    [
      fn(appId, "ship", { concurrency: [{ limit: 3, key: "event.data.userId" }], triggers: [{ event: "tools/order", expression: "event.data.vip" }] }),
      fn(appId, "bill", { triggers: [{ cron: "0 9 * * *" }] }),
    ],
    Date.now(),
  );
  const [order, other] = await seedEvents([
    { name: "tools/order", data: { userId: 42 }, receivedAt: t0 },
    { name: "tools/order", data: { userId: 7 }, receivedAt: t0 + 60_000 },
  ]);
  const completedRun = ulid(t0 + 1);
  const failedRun = ulid(t0 + 2);
  const runningRun = ulid(t0 + 60_001);
  await seedRuns([
    {
      id: completedRun,
      functionId: `${appId}-ship`,
      appId,
      eventId: order!.internalId,
      status: "completed",
      queuedAt: t0 + 1,
      startedAt: t0 + 10,
      endedAt: t0 + 1_010,
      output: { shipped: true },
    },
    {
      id: failedRun,
      functionId: `${appId}-bill`,
      appId,
      eventId: order!.internalId,
      status: "failed",
      queuedAt: t0 + 2,
      startedAt: t0 + 20,
      endedAt: t0 + 520,
    },
    { id: runningRun, functionId: `${appId}-ship`, appId, eventId: other!.internalId, status: "running", queuedAt: t0 + 60_001, startedAt: t0 + 60_010 },
  ]);
  const error = JSON.stringify({ name: "Error", message: "card declined", stack: "Error: card declined" });
  await env.DB.batch([
    env.DB.prepare("UPDATE runs SET error = ? WHERE id = ?").bind(error, failedRun),
    env.DB.prepare(
      "INSERT INTO steps (run_id, step_id, name, op, status, attempts, output, error, started_at, ended_at, seq) VALUES (?, 'h1', 'pack', 'StepRun', 'completed', 1, '\"boxed\"', NULL, ?, ?, 0)",
    ).bind(completedRun, t0 + 10, t0 + 400),
    env.DB.prepare(
      "INSERT INTO steps (run_id, step_id, name, op, status, attempts, output, error, started_at, ended_at, seq) VALUES (?, 'h2', 'wait', 'Sleep', 'completed', 1, 'null', NULL, ?, ?, 1)",
    ).bind(completedRun, t0 + 400, t0 + 1_000),
    env.DB.prepare(
      "INSERT INTO steps (run_id, step_id, name, op, status, attempts, output, error, started_at, ended_at, seq) VALUES (?, 'h3', 'charge', 'StepRun', 'failed', 3, NULL, ?, ?, ?, 0)",
    ).bind(failedRun, error, t0 + 20, t0 + 500),
    env.DB.prepare(
      "INSERT INTO steps (run_id, step_id, name, op, status, attempts, output, error, started_at, ended_at, seq) VALUES (?, 'h4', 'nap', 'Sleep', 'running', 1, NULL, NULL, ?, NULL, 0)",
    ).bind(runningRun, t0 + 60_010),
  ]);
  return { appId, t0, order: order!, other: other!, completedRun, failedRun, runningRun };
}

/**
 * Metrics over a window of run history for the dashboard's charts: runs started, completed,
 * failed and cancelled per bucket, event → start latency, step duration and the backlog of runs
 * queued but not started. Each query reads only the window, through an index
 * (migrations/0014_metrics.sql), and aggregates in D1: the answer has METRICS_BUCKETS points
 * whatever the number of runs.
 * @module
 */
import { METRICS_BUCKETS } from "../constants";

/** The window: `[from, to)` in ms, cut into buckets of `bucketMs`. */
export interface MetricsWindow {
  from: number;
  to: number;
  bucketMs: number;
}

/** One bucket's figures; latency and duration are null when nothing was measured in it. */
export interface MetricsBucket {
  at: number;
  started: number;
  completed: number;
  failed: number;
  cancelled: number;
  latency_avg_ms: number | null;
  latency_max_ms: number | null;
  steps: number;
  step_avg_ms: number | null;
  step_max_ms: number | null;
  /** Runs queued and not yet started (nor ended) at the bucket's end. */
  backlog: number;
}

/** Totals over a function's runs in the window, for the overview's table. */
export interface FunctionTotals {
  function_id: string;
  name: string | null;
  started: number;
  completed: number;
  failed: number;
  cancelled: number;
}

/** The window ending at `now` of `hours` hours, cut into METRICS_BUCKETS buckets. */
export function metricsWindow(now: number, hours: number): MetricsWindow {
  const bucketMs = Math.ceil((hours * 3_600_000) / METRICS_BUCKETS);
  const to = now + 1;
  return { from: to - bucketMs * METRICS_BUCKETS, to, bucketMs };
}

/** Ops that wait rather than run code: their time is not a step's duration. */
const WAIT_OPS = "('Sleep', 'WaitForEvent', 'InvokeFunction', 'WaitForSignal')";

/** When a run left the queue: started, or ended without starting (cancelled while queued). */
const LEFT = "coalesce(started_at, ended_at)";

type Row = { b: number } & Record<string, number | string | null>;

/** The figures for each bucket of `window`, over one function's runs or all of them. */
export async function metricsBuckets(db: D1Database, window: MetricsWindow, functionId: string | null): Promise<MetricsBucket[]> {
  const { from, to, bucketMs } = window;
  // ?1 from, ?2 to, ?3 bucket size, ?4 function (null: all).
  const fn = (col: string) => `(?4 IS NULL OR ${col} = ?4)`;
  const bucket = (col: string) => `CAST((${col} - ?1) / ?3 AS INTEGER) AS b`;
  const sql = [
    `SELECT ${bucket("started_at")}, count(*) AS n FROM runs WHERE started_at >= ?1 AND started_at < ?2 AND ${fn("function_id")} GROUP BY b`,
    `SELECT ${bucket("ended_at")}, status, count(*) AS n FROM runs
       WHERE ended_at >= ?1 AND ended_at < ?2 AND ${fn("function_id")} GROUP BY b, status`,
    `SELECT ${bucket("r.started_at")}, avg(r.started_at - e.received_at) AS avg, max(r.started_at - e.received_at) AS max
       FROM runs r JOIN events e ON e.internal_id = r.event_id
       WHERE r.started_at >= ?1 AND r.started_at < ?2 AND ${fn("r.function_id")} GROUP BY b`,
    `SELECT ${bucket("s.ended_at")}, count(*) AS n, avg(s.ended_at - s.started_at) AS avg, max(s.ended_at - s.started_at) AS max
       FROM steps s JOIN runs r ON r.id = s.run_id
       WHERE s.ended_at >= ?1 AND s.ended_at < ?2 AND s.started_at IS NOT NULL AND s.status IN ('completed', 'failed')
         AND s.op NOT IN ${WAIT_OPS} AND ${fn("r.function_id")} GROUP BY b`,
    `SELECT ${bucket("queued_at")}, count(*) AS n FROM runs WHERE queued_at >= ?1 AND queued_at < ?2 AND ${fn("function_id")} GROUP BY b`,
    `SELECT ${bucket(LEFT)}, count(*) AS n FROM runs WHERE ${LEFT} >= ?1 AND ${LEFT} < ?2 AND queued_at < ?2 AND ${fn("function_id")} GROUP BY b`,
    // The backlog when the window opens: still queued, or queued before and left after.
    `SELECT -1 AS b, (SELECT count(*) FROM runs WHERE status = 'queued' AND queued_at < ?1 AND ${LEFT} IS NULL AND ${fn("function_id")})
       + (SELECT count(*) FROM runs WHERE ${LEFT} >= ?1 AND queued_at < ?1 AND ${fn("function_id")}) AS n`,
  ];
  const results = await db.batch<Row>(sql.map((text) => db.prepare(text).bind(from, to, bucketMs, functionId)));
  const [started, ended, latency, steps, entered, left, before] = results.map((r) => r.results);
  const buckets: MetricsBucket[] = Array.from({ length: METRICS_BUCKETS }, (_, i) => ({
    at: from + i * bucketMs,
    started: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    latency_avg_ms: null,
    latency_max_ms: null,
    steps: 0,
    step_avg_ms: null,
    step_max_ms: null,
    backlog: 0,
  }));
  const at = (row: Row) => buckets[Number(row.b)];
  for (const row of started!) at(row)!.started = Number(row.n);
  for (const row of ended!) {
    const status = row.status as "completed" | "failed" | "cancelled";
    if (status in at(row)!) at(row)![status] = Number(row.n);
  }
  for (const row of latency!) Object.assign(at(row)!, { latency_avg_ms: Math.round(Number(row.avg)), latency_max_ms: Number(row.max) });
  for (const row of steps!) Object.assign(at(row)!, { steps: Number(row.n), step_avg_ms: Math.round(Number(row.avg)), step_max_ms: Number(row.max) });
  const change = new Array<number>(METRICS_BUCKETS).fill(0);
  for (const row of entered!) change[Number(row.b)]! += Number(row.n);
  for (const row of left!) change[Number(row.b)]! -= Number(row.n);
  let backlog = Number(before![0]?.n ?? 0);
  buckets.forEach((b, i) => {
    backlog += change[i]!;
    b.backlog = backlog;
  });
  return buckets;
}

/** Runs started and ended per function in `window`, busiest first (every function with runs). */
export async function functionTotals(db: D1Database, window: MetricsWindow): Promise<FunctionTotals[]> {
  const { results } = await db
    .prepare(
      `SELECT t.function_id, f.name, sum(t.started) AS started, sum(t.completed) AS completed, sum(t.failed) AS failed,
         sum(t.cancelled) AS cancelled
       FROM (
         SELECT function_id, 1 AS started, 0 AS completed, 0 AS failed, 0 AS cancelled FROM runs WHERE started_at >= ?1 AND started_at < ?2
         UNION ALL
         SELECT function_id, 0, status = 'completed', status = 'failed', status = 'cancelled' FROM runs WHERE ended_at >= ?1 AND ended_at < ?2
       ) t LEFT JOIN functions f ON f.id = t.function_id
       GROUP BY t.function_id ORDER BY started DESC, t.function_id`,
    )
    .bind(window.from, window.to)
    .all<FunctionTotals>();
  return results;
}

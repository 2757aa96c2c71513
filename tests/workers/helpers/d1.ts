import { env } from "cloudflare:workers";

/** Number of rows in `table`, optionally filtered by a WHERE clause with bound values. */
export async function countRows(table: string, where = "1 = 1", ...values: unknown[]): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)
    .bind(...values)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Rows of a query, typed by the caller. */
export async function rows<T>(sql: string, ...values: unknown[]): Promise<T[]> {
  return (
    await env.DB.prepare(sql)
      .bind(...values)
      .all<T>()
  ).results;
}

/** A stored event row. */
export interface EventRow {
  internal_id: string;
  id: string;
  name: string;
  data: string;
  ts: number;
  received_at: number;
  target: string | null;
  status: "pending" | "routed" | "duplicate" | "failed";
  routed_at: number | null;
  error: string | null;
}

/** A D1 history run row. */
export interface RunHistoryRow {
  id: string;
  function_id: string;
  app_id: string;
  event_id: string;
  status: string;
  output: string | null;
  error: string | null;
  queued_at: number;
  started_at: number | null;
  ended_at: number | null;
}

/** A D1 history step row. */
export interface StepHistoryRow {
  run_id: string;
  step_id: string;
  name: string | null;
  display_name: string | null;
  op: string;
  status: string;
  attempts: number;
  output: string | null;
  error: string | null;
  started_at: number | null;
  ended_at: number | null;
  seq: number;
}

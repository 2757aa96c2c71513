/**
 * Retention in D1: history and event rows older than STEPFLARE_RETENTION are deleted by the
 * heartbeat, in bounded batches. (Claims of senders' event ids live in the event shards, which
 * delete them when their 24 h window is over.)
 * @module
 */
import { RETENTION_BUDGET_MS, RETENTION_ROUNDS_PER_BEAT, RETENTION_ROWS_PER_STATEMENT } from "../constants";
import type { Env } from "../env";
import { retentionMs } from "./retention-setting";

/**
 * One statement per table. Each deletes at most ?2 rows from before ?1, the retention's cutoff.
 * Steps go before their run, so a run row is deleted only once it has no steps left: a run is
 * never half-deleted in a way the reads would show. Runs still active are kept however old
 * (they are history in the making), and so are events not yet routed (their shard re-drives
 * them).
 */
const DELETIONS: readonly string[] = [
  `DELETE FROM steps WHERE rowid IN (
     SELECT s.rowid FROM runs r JOIN steps s ON s.run_id = r.id WHERE r.ended_at < ?1 LIMIT ?2)`,
  `DELETE FROM runs WHERE id IN (
     SELECT r.id FROM runs r WHERE r.ended_at < ?1 AND NOT EXISTS (SELECT 1 FROM steps s WHERE s.run_id = r.id) LIMIT ?2)`,
  "DELETE FROM run_reruns WHERE run_id IN (SELECT run_id FROM run_reruns WHERE created_at < ?1 LIMIT ?2)",
  "DELETE FROM skipped_runs WHERE rowid IN (SELECT rowid FROM skipped_runs WHERE created_at < ?1 LIMIT ?2)",
  "DELETE FROM event_effects WHERE rowid IN (SELECT rowid FROM event_effects WHERE created_at < ?1 LIMIT ?2)",
  `DELETE FROM events WHERE internal_id IN (
     SELECT internal_id FROM events WHERE received_at < ?1 AND status != 'pending' LIMIT ?2)`,
];

/** How much one pass deleted. */
export interface RetentionPass {
  /** Rows deleted, all tables together. */
  deleted: number;
  /** D1 batches it took (at most RETENTION_ROUNDS_PER_BEAT). */
  rounds: number;
  /** Whether rows past the retention may be left for the next pass (a bound was reached). */
  more: boolean;
}

/**
 * Deletes what is older than the retention: rounds of one D1 batch each (a statement per table,
 * RETENTION_ROWS_PER_STATEMENT rows at most), until a round finds no table full or a bound is
 * reached (RETENTION_ROUNDS_PER_BEAT rounds, RETENTION_BUDGET_MS of wall time); the next
 * heartbeat goes on from there. Throws RetentionSettingError when STEPFLARE_RETENTION cannot be
 * read: nothing is deleted on a setting misread.
 */
export async function deleteExpiredHistory(env: Pick<Env, "DB" | "STEPFLARE_RETENTION">, now: number): Promise<RetentionPass> {
  const cutoff = now - retentionMs(env);
  const stopAt = Date.now() + RETENTION_BUDGET_MS;
  const pass: RetentionPass = { deleted: 0, rounds: 0, more: false };
  while (pass.rounds < RETENTION_ROUNDS_PER_BEAT && Date.now() < stopAt) {
    const results = await env.DB.batch(DELETIONS.map((sql) => env.DB.prepare(sql).bind(cutoff, RETENTION_ROWS_PER_STATEMENT)));
    pass.rounds++;
    const changes = results.map((r) => r.meta.changes ?? 0);
    pass.deleted += changes.reduce((a, b) => a + b, 0);
    pass.more = changes.some((n) => n >= RETENTION_ROWS_PER_STATEMENT);
    if (!pass.more) break;
  }
  return pass;
}

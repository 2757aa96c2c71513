import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { workerFetch } from "./worker";

/** An event written straight into D1 history, as ingestion stores it. */
export interface SeededEvent {
  internalId: string;
  name: string;
  data: Record<string, unknown>;
  receivedAt: number;
}

/** Stores events as routed history rows; ids are ULIDs at their receive times, so they sort with them. */
export async function seedEvents(events: { name: string; data?: Record<string, unknown>; receivedAt: number }[]): Promise<SeededEvent[]> {
  const seeded = events.map((e) => ({ internalId: ulid(e.receivedAt), name: e.name, data: e.data ?? {}, receivedAt: e.receivedAt }));
  await env.DB.batch(
    seeded.map((e) =>
      env.DB.prepare("INSERT INTO events (internal_id, id, name, data, ts, received_at, status) VALUES (?, ?, ?, ?, ?, ?, 'routed')").bind(
        e.internalId,
        e.internalId,
        e.name,
        JSON.stringify({ internalId: e.internalId, id: e.internalId, name: e.name, data: e.data, ts: e.receivedAt, user: {} }),
        e.receivedAt,
        e.receivedAt,
      ),
    ),
  );
  return seeded;
}

/** A run history row to seed; times in ms. */
export interface SeededRun {
  id: string;
  functionId: string;
  appId: string;
  eventId: string;
  status: "queued" | "running" | "completed" | "failed" | "cancelled";
  queuedAt: number;
  startedAt?: number;
  endedAt?: number;
  output?: unknown;
}

/** Stores run history rows as a run's flush writes them. */
export async function seedRuns(runs: SeededRun[]): Promise<void> {
  await env.DB.batch(
    runs.map((r) =>
      env.DB.prepare(
        `INSERT INTO runs (id, function_id, app_id, event_id, status, output, error, queued_at, started_at, ended_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)`,
      ).bind(
        r.id,
        r.functionId,
        r.appId,
        r.eventId,
        r.status,
        r.output === undefined ? null : JSON.stringify(r.output),
        r.queuedAt,
        r.startedAt ?? null,
        r.endedAt ?? null,
        r.queuedAt,
      ),
    ),
  );
}

/** The `{ data, metadata, cursor }` body the list endpoints answer with. */
export interface Page<T> {
  data: T[];
  cursor: string | null;
}

/** GETs `path` from the Worker and returns its status and JSON body. */
export async function getJson<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await workerFetch(path, init);
  return { status: res.status, body: (await res.json()) as T };
}

/** Sends `body` as JSON with `method` to the Worker; returns its status and JSON answer. */
export async function sendJson<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await workerFetch(path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

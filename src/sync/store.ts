/**
 * Apps and their functions in D1 (`apps`, `functions` in migrations/0001_history.sql).
 * @module
 */
import { canonicalJson } from "../protocol/jcs";
import { type FunctionConfig, storedFunctionConfigSchema } from "./function-config";

/** What a sync says about the app itself. */
export interface SyncedApp {
  /** The SDK client id (`appName` out-of-band, `app_id` in-band). */
  id: string;
  /** Normalised serve URL. */
  url: string;
  sdk?: string;
  framework?: string;
  appVersion?: string;
}

/** A stored app. Times are ms since the epoch. */
export interface AppRecord {
  id: string;
  url: string;
  sdk: string | null;
  framework: string | null;
  appVersion: string | null;
  checksum: string;
  syncError: string | null;
  createdAt: number;
  syncedAt: number;
}

/** A stored function with the URL of the app that serves it. */
export interface StoredFunction {
  id: string;
  appId: string;
  appUrl: string;
  config: FunctionConfig;
}

/** A synced function id already belongs to another app; ids are global slugs. */
export class FunctionOwnershipError extends Error {
  override readonly name = "FunctionOwnershipError";

  constructor(
    readonly appId: string,
    readonly conflicts: { functionId: string; ownerAppId: string }[],
  ) {
    const list = conflicts.map((c) => `"${c.functionId}" (app "${c.ownerAppId}")`).join(", ");
    super(`app "${appId}" cannot sync functions that belong to another app: ${list}`);
  }
}

interface AppRow {
  id: string;
  url: string;
  sdk: string | null;
  framework: string | null;
  app_version: string | null;
  checksum: string;
  sync_error: string | null;
  created_at: number;
  synced_at: number;
}

const UPSERT_APP = `INSERT INTO apps (id, url, sdk, framework, app_version, checksum, sync_error, created_at, synced_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?7)
ON CONFLICT (id) DO UPDATE SET url = excluded.url, sdk = excluded.sdk, framework = excluded.framework,
  app_version = excluded.app_version, checksum = excluded.checksum, sync_error = NULL, synced_at = excluded.synced_at`;

const DELETE_REMOVED = `DELETE FROM functions WHERE app_id = ?1 AND id NOT IN (SELECT value FROM json_each(?2))`;

/**
 * A function owned by another app gets a NULL `app_id`, which violates NOT NULL and rolls the
 * whole batch back: the ownership check before the batch gives the readable error, this keeps a
 * concurrent sync from ever taking another app's function. Unchanged rows are not rewritten.
 */
const UPSERT_FUNCTION = `INSERT INTO functions (id, app_id, name, config, created_at, updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?5)
ON CONFLICT (id) DO UPDATE SET
  app_id = CASE WHEN functions.app_id = excluded.app_id THEN excluded.app_id ELSE NULL END,
  name = excluded.name, config = excluded.config, updated_at = excluded.updated_at
WHERE functions.app_id IS NOT excluded.app_id OR functions.config IS NOT excluded.config`;

/**
 * Stores an app and exactly `functions` as its function set, atomically (one D1 batch).
 * `modified` is false when the app URL and function set are unchanged since the last sync, which
 * is the common case because dev servers re-sync every few seconds; then only the app row's sync
 * time and SDK details are written. Throws {@link FunctionOwnershipError} when a function id
 * belongs to another app.
 */
export async function saveApp(db: D1Database, app: SyncedApp, functions: FunctionConfig[], nowMs: number): Promise<{ modified: boolean }> {
  const ids = JSON.stringify(functions.map((fn) => fn.id));
  const [checksum, existing, taken] = await Promise.all([
    checksumOf(app.url, functions),
    db.prepare("SELECT checksum FROM apps WHERE id = ?1").bind(app.id).first<{ checksum: string }>(),
    db
      .prepare("SELECT id, app_id FROM functions WHERE app_id != ?1 AND id IN (SELECT value FROM json_each(?2))")
      .bind(app.id, ids)
      .all<{ id: string; app_id: string }>(),
  ]);
  if (taken.results.length > 0) {
    throw new FunctionOwnershipError(
      app.id,
      taken.results.map((row) => ({ functionId: row.id, ownerAppId: row.app_id })),
    );
  }
  const upsertApp = db.prepare(UPSERT_APP).bind(app.id, app.url, app.sdk ?? null, app.framework ?? null, app.appVersion ?? null, checksum, nowMs);
  const modified = existing?.checksum !== checksum;
  if (!modified) {
    await upsertApp.run();
    return { modified };
  }
  await db.batch([
    upsertApp,
    db.prepare(DELETE_REMOVED).bind(app.id, ids),
    ...functions.map((fn) => db.prepare(UPSERT_FUNCTION).bind(fn.id, app.id, fn.name ?? fn.id, canonicalJson(fn), nowMs)),
  ]);
  return { modified };
}

/** Records why the last sync of a known app failed; a no-op for unknown apps. */
export async function recordSyncError(db: D1Database, appId: string, message: string): Promise<void> {
  await db.prepare("UPDATE apps SET sync_error = ?2 WHERE id = ?1").bind(appId, message).run();
}

/**
 * Makes the next sync of an app count as a change (`modified`), whatever it holds: used when the
 * registry could not be told about a change, so that the next sync tells it.
 */
export async function forgetChecksum(db: D1Database, appId: string): Promise<void> {
  await db.prepare("UPDATE apps SET checksum = '' WHERE id = ?1").bind(appId).run();
}

/** Every function of every app, with its app's URL, in one query (routing reads it through the cached registry, src/sync/registry.ts). */
export async function listFunctions(db: D1Database): Promise<StoredFunction[]> {
  const { results } = await db.prepare(`${FUNCTION_SELECT} ORDER BY f.id`).all<FunctionJoinRow>();
  return results.map(toStoredFunction);
}

/** One synced function by id, or null. */
export async function findFunction(db: D1Database, id: string): Promise<StoredFunction | null> {
  const row = await db.prepare(`${FUNCTION_SELECT} WHERE f.id = ?`).bind(id).first<FunctionJoinRow>();
  return row ? toStoredFunction(row) : null;
}

const FUNCTION_SELECT = "SELECT f.id, f.app_id, a.url AS app_url, f.config FROM functions f JOIN apps a ON a.id = f.app_id";
type FunctionJoinRow = { id: string; app_id: string; app_url: string; config: string };

function toStoredFunction(row: FunctionJoinRow): StoredFunction {
  return { id: row.id, appId: row.app_id, appUrl: row.app_url, config: parseStoredConfig(row.id, row.config) };
}

/** One app, or null. */
export async function getApp(db: D1Database, id: string): Promise<AppRecord | null> {
  const row = await db.prepare("SELECT * FROM apps WHERE id = ?1").bind(id).first<AppRow>();
  return row ? toAppRecord(row) : null;
}

/** The app served at `url` (normalised), or null. */
export async function findAppByUrl(db: D1Database, url: string): Promise<AppRecord | null> {
  const row = await db.prepare("SELECT * FROM apps WHERE url = ?1 ORDER BY synced_at DESC LIMIT 1").bind(url).first<AppRow>();
  return row ? toAppRecord(row) : null;
}

/** All apps, by id. */
export async function listApps(db: D1Database): Promise<AppRecord[]> {
  const { results } = await db.prepare("SELECT * FROM apps ORDER BY id").all<AppRow>();
  return results.map(toAppRecord);
}

/** SHA-256 of the canonical URL and function set, independent of the order the SDK lists them. */
async function checksumOf(url: string, functions: FunctionConfig[]): Promise<string> {
  const sorted = [...functions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const bytes = new TextEncoder().encode(canonicalJson({ url, functions: sorted }));
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function parseStoredConfig(id: string, json: string): FunctionConfig {
  const result = storedFunctionConfigSchema.safeParse(JSON.parse(json));
  if (!result.success) throw new Error(`stored config of function "${id}" is invalid: ${result.error.message}`);
  return result.data;
}

function toAppRecord(row: AppRow): AppRecord {
  return {
    id: row.id,
    url: row.url,
    sdk: row.sdk,
    framework: row.framework,
    appVersion: row.app_version,
    checksum: row.checksum,
    syncError: row.sync_error,
    createdAt: row.created_at,
    syncedAt: row.synced_at,
  };
}

/**
 * App sync over HTTP: the SDK's out-of-band `POST /fn/register`, the server-initiated
 * `POST /v0/apps/sync`, and `GET /v0/apps`.
 * @module
 */
import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { MAX_APP_ID_LENGTH, MAX_SYNC_BODY_BYTES } from "../constants";
import { refreshSchedulesSoon } from "../cron/refresh";
import type { Env } from "../env";
import { isProduction, serverKind, signingKeys } from "../mode";
import { outboundPolicy } from "../net/outbound";
import { isAuthorizedSdkBearer } from "../protocol/signing";
import { handleError } from "../util/error-handler";
import { readJsonBody, type BodyJson } from "../util/body-limit";
import { requestAppSync } from "../sync/app-sync";
import type { FunctionConfig } from "../sync/function-config";
import { refusedSyncUrl } from "../sync/outbound-urls";
import { appUrlSchema, parseRegisterRequest } from "../sync/register-request";
import { publishFunctionsChanged } from "../sync/registry";
import { FunctionOwnershipError, type SyncedApp, findAppByUrl, forgetChecksum, listApps, listFunctions, recordSyncError, saveApp } from "../sync/store";

type AppContext = Context<{ Bindings: Env }>;

/** Routes for syncing apps; mount at the root of the Worker's Hono app. */
export const syncRoutes = new Hono<{ Bindings: Env }>();

/**
 * Errors carry `status` in the body too: the SDK answers the sync `PUT` with the body's status,
 * not the HTTP status of its register call, so without it a failure would look like success.
 */
function fail(c: AppContext, status: ContentfulStatusCode, error: string) {
  return c.json({ error, status }, status);
}

/** The SDK's register call: production mode requires the hashed signing key as bearer. */
async function isAuthorized(c: AppContext): Promise<boolean> {
  if (!isProduction(c.env)) return true;
  return isAuthorizedSdkBearer(c.req.header("Authorization") ?? null, signingKeys(c.env));
}

/** For the SDK's register call: what the developer must change in the app. */
const SDK_UNAUTHORIZED = "missing or invalid signing key: the app must send this server's INNGEST_SIGNING_KEY and must not run in dev mode";

/** Just enough of a rejected register body to record the error on a known app. */
const appNameSchema = z.object({ appName: z.string().min(1).max(MAX_APP_ID_LENGTH) });

/** The body as JSON: at most MAX_SYNC_BODY_BYTES (refused unread beyond), UTF-8, of bounded depth. */
function readJson(c: AppContext): Promise<BodyJson> {
  return readJsonBody(c, MAX_SYNC_BODY_BYTES);
}

/** Keeps `p` running after the response; outside a request (in tests) it simply runs. */
function inBackground(c: AppContext, p: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(p);
  } catch {
    void p;
  }
}

/**
 * Tells routing the functions changed, before the sync answers, so an event sent right after it
 * is routed with them. Should that fail, the app's checksum is cleared so that the next sync of
 * the same functions counts as a change and publishes again; the sync answers with the error.
 */
async function publish(c: AppContext, appId: string): Promise<void> {
  try {
    await publishFunctionsChanged(c.env);
  } catch (error) {
    await forgetChecksum(c.env.DB, appId);
    throw error;
  }
}

/** Saves a validated sync, turning an ownership conflict into a 409 the SDK can show. */
async function store(c: AppContext, app: SyncedApp, functions: FunctionConfig[]) {
  try {
    const saved = await saveApp(c.env.DB, app, functions, Date.now());
    if (saved.modified) await publish(c, app.id);
    // Cron schedules follow the synced functions at once, not at the next heartbeat.
    if (saved.modified) refreshSchedulesSoon(c.env, (p) => inBackground(c, p));
    return { ok: true as const, ...saved };
  } catch (error) {
    if (!(error instanceof FunctionOwnershipError)) throw error;
    await recordSyncError(c.env.DB, app.id, error.message);
    return { ok: false as const, response: fail(c, 409, error.message) };
  }
}

syncRoutes.post("/fn/register", async (c) => {
  const kind = serverKind(c.env);
  const expected = c.req.header("X-Inngest-Expected-Server-Kind");
  if (expected && expected !== kind) {
    return fail(
      c,
      400,
      `the sync was started by a "${expected}" server but this server runs in ${kind} mode ` +
        `(${kind === "dev" ? "no" : "an"} INNGEST_SIGNING_KEY is set); sync the app from this server instead`,
    );
  }
  if (!(await isAuthorized(c))) return fail(c, 401, SDK_UNAUTHORIZED);
  const body = await readJson(c);
  if (!body.ok) return fail(c, body.status, body.error);
  const parsed = parseRegisterRequest(body.value);
  if (!parsed.ok) {
    const appName = appNameSchema.safeParse(body.value);
    if (appName.success) await recordSyncError(c.env.DB, appName.data.appName, parsed.error);
    return fail(c, 400, parsed.error);
  }
  const { appName, url, sdk, framework, appVersion, functions } = parsed.request;
  const refused = refusedSyncUrl(url, functions, outboundPolicy(c.env));
  if (refused !== null) {
    await recordSyncError(c.env.DB, appName, refused);
    return fail(c, 400, refused);
  }
  const saved = await store(c, { id: appName, url, sdk, framework, appVersion }, functions);
  if (!saved.ok) return saved.response;
  return c.json({ ok: true, modified: saved.modified, app_id: appName });
});

const syncBodySchema = z.object({ url: appUrlSchema });

// `/v0/*` sits behind the Worker's auth gate (src/api/auth.ts); only `/fn/register` checks itself.
syncRoutes.post("/v0/apps/sync", async (c) => {
  const body = await readJson(c);
  if (!body.ok) return fail(c, body.status, body.error);
  const parsed = syncBodySchema.safeParse(body.value);
  if (!parsed.success) return fail(c, 400, 'expected a JSON body { "url": "<the app\'s serve URL>" }');
  const appUrl = parsed.data.url;
  const policy = outboundPolicy(c.env);
  const refused = refusedSyncUrl(appUrl, [], policy);
  if (refused !== null) return fail(c, 400, refused);
  const outcome = await requestAppSync(appUrl, c.env, new URL(c.req.url).origin, Date.now());
  switch (outcome.kind) {
    case "error":
      return fail(c, outcome.status as ContentfulStatusCode, outcome.error);
    case "in_band": {
      // What the app reports is checked like what it was synced at: the server calls both.
      const reported = refusedSyncUrl(outcome.app.url, outcome.functions, policy);
      if (reported !== null) return fail(c, 400, `the app's answer: ${reported}`);
      const saved = await store(c, outcome.app, outcome.functions);
      if (!saved.ok) return saved.response;
      return c.json({ ok: true, app_id: outcome.app.id, modified: saved.modified, kind: outcome.kind });
    }
    case "out_of_band": {
      // The SDK reports no app id; the app it registered during the PUT is the one at this URL,
      // unless it reports another URL (INNGEST_SERVE_ORIGIN / INNGEST_SERVE_PATH).
      const app = await findAppByUrl(c.env.DB, appUrl);
      return c.json({ ok: true, app_id: app?.id ?? null, modified: outcome.modified, kind: outcome.kind });
    }
  }
});

syncRoutes.get("/v0/apps", async (c) => {
  const [apps, functions] = await Promise.all([listApps(c.env.DB), listFunctions(c.env.DB)]);
  return c.json({
    apps: apps.map((app) => ({
      ...app,
      functions: functions.filter((fn) => fn.appId === app.id).map((fn) => ({ id: fn.id, name: fn.config.name ?? fn.id, config: fn.config })),
    })),
  });
});

// Unexpected failures answer in the shape the SDK parses (`{ error, status }`), without the cause.
syncRoutes.onError(handleError);

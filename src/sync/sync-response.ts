/**
 * What an app's answer to the server's sync `PUT` means. In-band, the answer carries the app's
 * config (inngest-js `InBandRegisterRequest`); out-of-band, the SDK has already POSTed
 * `/fn/register` and answers with that call's outcome as `{ message, modified }`.
 * @module
 */
import { z } from "zod";
import type { serverKind } from "../mode";
import { formatPayloadIssues } from "./config-issues";
import type { FunctionConfig } from "./function-config";
import { appIdSchema, appUrlSchema, functionSetSchema } from "./register-request";
import { refineWellFormed } from "./well-formed";
import type { SyncedApp } from "./store";

/** `dev` without a signing key, `cloud` with one; sent as `X-Inngest-Server-Kind`. */
export type ServerKind = ReturnType<typeof serverKind>;

/** The parts of the app's HTTP answer that matter. */
export interface SyncResponse {
  status: number;
  /** `X-Inngest-Sync-Kind` of the answer. */
  syncKind: string | null;
  body: string;
}

/** Where the sync was sent from and to, for error messages that say what to fix. */
export interface SyncContext {
  appUrl: string;
  serverKind: ServerKind;
  /** This server's origin, e.g. `http://127.0.0.1:8288`. */
  serverOrigin: string;
}

export type SyncOutcome =
  | { kind: "in_band"; app: SyncedApp; functions: FunctionConfig[] }
  | { kind: "out_of_band"; modified: boolean; message: string }
  | { kind: "error"; status: number; error: string };

/** The in-band answer; `inspection`, `capabilities` and the other fields are not needed. */
const inBandBodySchema = z
  .looseObject({
    app_id: appIdSchema,
    url: appUrlSchema,
    sdk: z.string().optional(),
    framework: z.string().optional(),
    appVersion: z.string().optional(),
    functions: functionSetSchema,
  })
  .superRefine(refineWellFormed);

/** What the SDK answers after registering out-of-band (`InngestCommHandler.register`). */
const outOfBandBodySchema = z.looseObject({ message: z.string(), modified: z.boolean() });

/** Interprets the app's answer to a sync `PUT`. */
export function interpretSyncResponse(res: SyncResponse, ctx: SyncContext): SyncOutcome {
  const json = parseJson(res.body);
  if (res.syncKind === "in_band" && res.status === 200) {
    const parsed = inBandBodySchema.safeParse(json);
    if (!parsed.success) return { kind: "error", status: 400, error: formatPayloadIssues(parsed.error, json) };
    const { app_id, url, sdk, framework, appVersion, functions } = parsed.data;
    return { kind: "in_band", app: { id: app_id, url, sdk, framework, appVersion }, functions };
  }
  const answer = outOfBandBodySchema.safeParse(json);
  if (answer.success) return outOfBandOutcome(res.status, answer.data, ctx);
  // The SDK's own 401 (`{"message":"Unauthorized"}`) has no `modified`, unlike a register outcome.
  if (res.status === 401 && isSdkUnauthorized(json)) return { kind: "error", status: 422, error: unauthorizedMessage(ctx) };
  // Anything else is not an SDK: its status and body stay in the log, so that sync cannot be used
  // to read what a URL answers.
  console.warn(`stepflare: ${ctx.appUrl} answered the sync with HTTP ${res.status}, not as an Inngest SDK`);
  return {
    kind: "error",
    status: 422,
    error:
      `${ctx.appUrl} did not answer the sync as an Inngest SDK; ` +
      `check that the URL is the app's Inngest serve endpoint (e.g. http://localhost:3000/api/inngest)`,
  };
}

function isSdkUnauthorized(json: unknown): boolean {
  return typeof json === "object" && json !== null && (json as { message?: unknown }).message === "Unauthorized";
}

/**
 * The SDK answers the PUT with the status from this server's `/fn/register` body. 400 and 409
 * are that route rejecting the app's functions, which the caller must fix in the app; any other
 * failure means the app could not register here (unreachable, wrong key), so it is a 422: the request named an app that cannot be synced, which the server
 * cannot fix by retrying (and a 5xx would blame the server).
 */
function outOfBandOutcome(status: number, { message, modified }: z.infer<typeof outOfBandBodySchema>, ctx: SyncContext): SyncOutcome {
  if (status >= 200 && status < 300) return { kind: "out_of_band", modified, message };
  if (status === 400 || status === 409) return { kind: "error", status, error: message };
  const error = `the app could not register with this server: ${message}; ${pointHint(ctx)}`;
  return { kind: "error", status: 422, error };
}

function unauthorizedMessage(ctx: SyncContext): string {
  const rejected = `the app at ${ctx.appUrl} rejected`;
  if (ctx.serverKind === "dev") {
    return `${rejected} the unsigned sync request because it runs in cloud mode; ${pointHint(ctx)}`;
  }
  return `${rejected} the sync request's signature; give the app the same INNGEST_SIGNING_KEY as this server`;
}

/** How to point an app at this server in the server's mode. */
export function pointHint(ctx: Pick<SyncContext, "serverKind" | "serverOrigin">): string {
  return ctx.serverKind === "dev"
    ? `run the app with INNGEST_DEV=${ctx.serverOrigin}`
    : `run the app with INNGEST_BASE_URL=${ctx.serverOrigin} and this server's INNGEST_SIGNING_KEY`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

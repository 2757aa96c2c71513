/**
 * `POST /v1/checkpoint`: the body with which a durable endpoint's SDK creates its run, and the
 * run it starts.
 * @module
 */
import { z } from "zod";
import { DEFAULT_RETRIES, MAX_APP_ID_LENGTH, MAX_ENDPOINT_BODY_BYTES, MAX_ENDPOINT_URL_LENGTH, MAX_FUNCTION_ID_LENGTH, MAX_RETRIES } from "../constants";
import { opSchema } from "../protocol/ops";
import type { EmittedEvent } from "../ingest/emit-events";
import { ulidTime } from "../ingest/event-ids";
import type { RunStartInput } from "../runs/run-start";

/** Crockford base32 ULID: the SDK makes the run id itself, and it names the run's Durable Object. */
export const runIdSchema = z.string().regex(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i, "run id must be a ULID");

/** The event the SDK makes of the endpoint's request (`inngest/http.request`). */
const httpEventSchema = z.looseObject({
  name: z.string().optional(),
  data: z.looseObject({
    domain: z.string().regex(/^https?:\/\/[^/?#]+$/, "event.data.domain must be an http(s) origin"),
    path: z.string().startsWith("/", "event.data.path must start with /"),
    method: z.string().regex(/^[A-Z]{1,16}$/, "event.data.method must be an HTTP method"),
    query_params: z.string().default(""),
    body: z.string().default(""),
    content_type: z.string().default(""),
    ip: z.string().optional(),
    fn: z.string().default(""),
  }),
});

/**
 * The new-run body; fields the server does not need are not required. The request must make a
 * URL the server can call, and name an app and function within the registry's id limits.
 */
export const newRunBodySchema = z
  .looseObject({
    run_id: runIdSchema,
    event: httpEventSchema,
    steps: z.array(opSchema).default([]),
    ts: z.number().optional(),
    request_version: z.number().int().optional(),
    retries: z.number().int().optional(),
  })
  .superRefine((body, ctx) => {
    const data = body.event.data;
    if (!canParseUrl(data.domain + data.path)) {
      ctx.addIssue({ code: "custom", path: ["event", "data"], message: "event.data.domain and path do not make a URL" });
      return;
    }
    const { appId, functionId } = endpointIds(body);
    if (appId.length > MAX_APP_ID_LENGTH) {
      ctx.addIssue({ code: "custom", path: ["event", "data", "domain"], message: `longer than ${MAX_APP_ID_LENGTH} characters` });
    }
    if (functionId.length > MAX_FUNCTION_ID_LENGTH) {
      const message = `the function id "<domain>-<fn or METHOD path>" is longer than ${MAX_FUNCTION_ID_LENGTH} characters; name the endpoint's function shorter`;
      ctx.addIssue({ code: "custom", path: ["event", "data", "fn"], message });
    }
  });
export type NewRunBody = z.infer<typeof newRunBodySchema>;

function canParseUrl(text: string): boolean {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

/** Ids a durable endpoint's run is listed under: the endpoint's origin is its app. */
export interface EndpointIds {
  appId: string;
  functionId: string;
}

/**
 * The app and function a durable endpoint's runs belong to: the app is the endpoint's origin,
 * the function is named by the SDK (`fn`) or else by method and path (`GET /api/hello`); the
 * function id joins them as synced functions' ids join app and function.
 */
export function endpointIds(body: Pick<NewRunBody, "event">): EndpointIds {
  const { domain, fn, method, path } = body.event.data;
  const name = fn !== "" ? fn : `${method} ${path}`;
  return { appId: domain, functionId: `${domain}-${name}` };
}

/**
 * The `inngest/http.request` event of `body`, the run's trigger, as the server emits it: dated by
 * the run id (which the SDK made when the request came in), so a resent report names the same event.
 */
export function endpointEvent(body: NewRunBody): EmittedEvent {
  const runId = body.run_id.toUpperCase();
  return { name: "inngest/http.request", data: { ...body.event.data }, ts: ulidTime(runId), key: `http-request:${runId}`, id: runId };
}

/**
 * Why the run of `body` cannot be kept, or null: a URL or request body over the limits the run
 * stores them under (the server sends both again when it resumes the endpoint).
 */
export function endpointLimitError(body: NewRunBody): string | null {
  if (endpointUrl(body).length > MAX_ENDPOINT_URL_LENGTH) {
    return `the endpoint URL is over ${MAX_ENDPOINT_URL_LENGTH} characters, the longest a run keeps`;
  }
  if (new TextEncoder().encode(body.event.data.body).byteLength > MAX_ENDPOINT_BODY_BYTES) {
    return `the endpoint's request body is over ${MAX_ENDPOINT_BODY_BYTES} bytes, the largest a run keeps`;
  }
  return null;
}

/** The URL the server calls to resume the endpoint: origin, path and the request's query. */
function endpointUrl(body: NewRunBody): string {
  const { domain, path, query_params: query } = body.event.data;
  const url = new URL(domain + path);
  if (query !== "") url.search = query;
  return url.toString();
}

/** The run to start for `body`, triggered by `event`, emitted under `eventId`. */
export function endpointRunStart(body: NewRunBody, event: EmittedEvent, eventId: string, now: number): RunStartInput {
  const retries = body.retries === undefined || body.retries < 0 ? DEFAULT_RETRIES : Math.min(body.retries, MAX_RETRIES);
  return {
    runId: body.run_id.toUpperCase(),
    ...endpointIds(body),
    eventId,
    stepUrl: endpointUrl(body),
    maxAttempts: retries + 1,
    events: [{ name: event.name, data: event.data, id: event.id ?? eventId, ts: event.ts, user: {} }],
    queuedAt: now,
    startAt: now,
    endpoint: { method: body.event.data.method, version: body.request_version ?? 2 },
  };
}

/**
 * `POST /v1/checkpoint`: the body with which a durable endpoint's SDK creates its run, and the
 * run it starts.
 * @module
 */
import { z } from "zod";
import { DEFAULT_RETRIES, MAX_ENDPOINT_BODY_BYTES, MAX_ENDPOINT_URL_LENGTH, MAX_RETRIES } from "../constants";
import { opSchema } from "../protocol/ops";
import type { RunStartInput } from "../runner/run-start";

/** Crockford base32 ULID: the SDK makes the run id itself, and it names the run's Durable Object. */
export const runIdSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/i, "run id must be a ULID");

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

/** The new-run body; fields the server does not need are not required. */
export const newRunBodySchema = z.looseObject({
  run_id: runIdSchema,
  event: httpEventSchema,
  steps: z.array(opSchema).default([]),
  ts: z.number().optional(),
  request_version: z.number().int().optional(),
  retries: z.number().int().optional(),
});
export type NewRunBody = z.infer<typeof newRunBodySchema>;

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
export function endpointIds(body: NewRunBody): EndpointIds {
  const { domain, fn, method, path } = body.event.data;
  const name = fn !== "" ? fn : `${method} ${path}`;
  return { appId: domain, functionId: `${domain}-${name}` };
}

/**
 * The run to start for `body`, or why it cannot be kept: a URL or request body over the limits
 * the run stores them under (the server sends both again when it resumes the endpoint).
 */
export function endpointRunStart(body: NewRunBody, now: number): { ok: true; start: RunStartInput } | { ok: false; error: string } {
  const data = body.event.data;
  const url = new URL(data.domain + data.path);
  if (data.query_params !== "") url.search = data.query_params;
  if (url.toString().length > MAX_ENDPOINT_URL_LENGTH) {
    return { ok: false, error: `the endpoint URL is over ${MAX_ENDPOINT_URL_LENGTH} characters, the longest a run keeps` };
  }
  if (new TextEncoder().encode(data.body).byteLength > MAX_ENDPOINT_BODY_BYTES) {
    return { ok: false, error: `the endpoint's request body is over ${MAX_ENDPOINT_BODY_BYTES} bytes, the largest a run keeps` };
  }
  const retries = body.retries === undefined || body.retries < 0 ? DEFAULT_RETRIES : Math.min(body.retries, MAX_RETRIES);
  const ids = endpointIds(body);
  const event = { ...body.event, name: "inngest/http.request", id: body.run_id, ts: body.ts ?? now, data: { ...data } };
  return {
    ok: true,
    start: {
      runId: body.run_id,
      ...ids,
      eventId: body.run_id,
      stepUrl: url.toString(),
      maxAttempts: retries + 1,
      events: [event],
      queuedAt: now,
      startAt: now,
      endpoint: { method: data.method, version: body.request_version ?? 2 },
    },
  };
}

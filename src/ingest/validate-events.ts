/**
 * Validation of a `POST /e/:key` body (also used for `step.sendEvent` payloads).
 * @module
 */
import { z } from "zod";
import {
  MAX_EVENT_BYTES,
  MAX_EVENT_NAME_LENGTH,
  MAX_EVENT_TS,
  MAX_EVENTS_PER_REQUEST,
  MAX_JSON_DEPTH,
  MIN_EVENT_TS,
  RESERVED_EVENT_PREFIX,
} from "../constants";
import { jsonNestsDeeperThan, tooDeepMessage } from "../util/json-depth";
import { utf8Bytes } from "../util/utf8";
import { type IncomingEvent, isJsonObject, jsonObjectSchema } from "./event";

export type ParseEventsResult = { ok: true; events: IncomingEvent[] } | { ok: false; error: string };

/**
 * One element as senders write it. `null` and absent are the same for every optional field, and
 * `""` is the same as absent for `id` and `v`: the Go server decodes into Go zero values, so
 * senders (the Python SDK among them) rely on that. Messages omit the field and the index, which
 * {@link describeIssue} prefixes.
 */
const rawEventSchema = z.object(
  {
    name: z
      .string({ error: (issue) => (issue.input == null ? "is required" : "must be a string") })
      .min(1, "is required")
      .max(MAX_EVENT_NAME_LENGTH, `must be at most ${MAX_EVENT_NAME_LENGTH} characters`)
      .refine((name) => !name.startsWith(RESERVED_EVENT_PREFIX), `must not start with "${RESERVED_EVENT_PREFIX}": that prefix is reserved for system events`),
    data: jsonObjectSchema.nullish(),
    id: z.string({ error: "must be a string" }).nullish(),
    ts: z.number({ error: "must be a number of milliseconds since the epoch" }).int("must be an integer number of milliseconds").nullish(),
    user: jsonObjectSchema.nullish(),
    v: z.string({ error: "must be a string" }).nullish(),
  },
  { error: "must be an object" },
);

/**
 * Parses and validates an ingest request body: one event object or an array of them, nested at
 * most MAX_JSON_DEPTH levels deep (counted from the body's top).
 * All events are checked before any is accepted, so a request is taken whole or not at all.
 * Defaults follow the Go server: `data` and `user` become `{}`, a missing or zero `ts` becomes
 * `nowMs`, and `data._inngest` is removed (a forwarded invoke payload must not pose as one).
 */
export function parseEventPayload(bodyText: string, nowMs: number): ParseEventsResult {
  if (jsonNestsDeeperThan(bodyText, MAX_JSON_DEPTH)) return fail(tooDeepMessage("request body", MAX_JSON_DEPTH));
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch (err) {
    return fail(`request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const items = Array.isArray(body) ? body : isJsonObject(body) ? [body] : null;
  if (items === null) return fail("request body must be an event object or an array of event objects");
  if (items.length > MAX_EVENTS_PER_REQUEST) {
    return fail(`request has ${items.length} events; at most ${MAX_EVENTS_PER_REQUEST} are accepted per request`);
  }
  const events: IncomingEvent[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const result = normalizeEvent(items[i], i, nowMs);
    if (!result.ok) return result;
    events[i] = result.event;
  }
  return { ok: true, events };
}

/** Validates one element and applies the ingestion defaults. */
function normalizeEvent(item: unknown, index: number, nowMs: number): { ok: true; event: IncomingEvent } | { ok: false; error: string } {
  const parsed = rawEventSchema.safeParse(item);
  if (!parsed.success) return fail(describeIssue(index, parsed.error.issues[0]));
  const raw = parsed.data;

  const ts = raw.ts || nowMs;
  if (ts < MIN_EVENT_TS || ts > MAX_EVENT_TS) {
    return fail(
      `event ${index}: "ts" ${ts} is outside the accepted range ` + `${new Date(MIN_EVENT_TS).toISOString()} to ${new Date(MAX_EVENT_TS).toISOString()}`,
    );
  }

  const event: IncomingEvent = { name: raw.name, data: withoutInngestKey(raw.data ?? {}), ts, user: raw.user ?? {} };
  if (raw.id) event.id = raw.id;
  if (raw.v) event.v = raw.v;

  const json = JSON.stringify(event);
  const bytes = utf8Bytes(json);
  if (bytes > MAX_EVENT_BYTES) {
    return fail(`event ${index}: event is ${bytes} bytes as JSON, over the limit of ${MAX_EVENT_BYTES} bytes`);
  }
  // JSON.stringify escapes lone surrogates as \udXXX; only then is the slower check needed.
  if (/\\u[dD][89a-fA-F]/.test(json) && !isWellFormedDeep(event)) {
    return fail(`event ${index}: contains a string with an unpaired UTF-16 surrogate, which is not valid Unicode`);
  }
  return { ok: true, event };
}

/**
 * Whether every string in a JSON value (keys included) is well-formed Unicode. Call requests are
 * JCS-canonicalised, and RFC 8785 has no encoding for a lone surrogate.
 */
function isWellFormedDeep(value: unknown): boolean {
  if (typeof value === "string") return value.isWellFormed();
  if (Array.isArray(value)) return value.every(isWellFormedDeep);
  if (isJsonObject(value)) return Object.entries(value).every(([k, v]) => k.isWellFormed() && isWellFormedDeep(v));
  return true;
}

/** `event <index>: "<field>" <message>`, or `event <index>: <message>` for the element itself. */
function describeIssue(index: number, issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return `event ${index}: is invalid`;
  const field = issue.path[0];
  return field === undefined ? `event ${index}: ${issue.message}` : `event ${index}: "${String(field)}" ${issue.message}`;
}

/** `data` without `_inngest`, copied only when the key is there. */
function withoutInngestKey(data: Record<string, unknown>): Record<string, unknown> {
  if (!Object.hasOwn(data, "_inngest")) return data;
  const { _inngest: _dropped, ...rest } = data;
  return rest;
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

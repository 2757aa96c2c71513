/**
 * The event shapes stepflare handles: as accepted at ingestion, as stored, and as sent to the SDK.
 * @module
 */
import { z } from "zod";

/**
 * A JSON object (not an array, not null). Checked without copying, unlike `z.record`, which
 * walks every key and drops an own `__proto__` key that `JSON.parse` can legitimately produce.
 */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Schema for a JSON object field, passed through as-is. */
export const jsonObjectSchema = z.custom<Record<string, unknown>>(isJsonObject, {
  error: "must be an object",
});

/** An event after ingestion defaults were applied (`data`, `user`, `ts` always present). */
export const incomingEventSchema = z.object({
  name: z.string().min(1),
  data: jsonObjectSchema,
  /** The sender's idempotency key, when given. */
  id: z.string().min(1).optional(),
  /** Milliseconds since the epoch. */
  ts: z.number().int(),
  /** Deprecated by Inngest but still carried through to functions. */
  user: jsonObjectSchema,
  v: z.string().optional(),
});
export type IncomingEvent = z.infer<typeof incomingEventSchema>;

/** Crockford base32 ULID, upper case as every stepflare generator emits it. */
const ulidSchema = z.string().regex(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);

/**
 * An event as stored. `internalId` is the ULID returned to the sender; `id` is the sender's
 * idempotency key when one was given, else the same ULID (as Inngest's `NewOSSTrackedEvent` sets it).
 */
export const storedEventSchema = incomingEventSchema.extend({
  internalId: ulidSchema,
  id: z.string().min(1),
});
export type StoredEvent = z.infer<typeof storedEventSchema>;

/**
 * The event object placed in `event` / `events` of a call request to the SDK; also checked when
 * a run is started over RPC. Extra fields pass through.
 */
export const sdkEventSchema = z
  .object({
    name: z.string(),
    data: z.record(z.string(), z.unknown()),
    id: z.string(),
    ts: z.number(),
    user: z.record(z.string(), z.unknown()).optional(),
    v: z.string().optional(),
  })
  .loose();
export type SdkEvent = z.infer<typeof sdkEventSchema>;

/**
 * Builds the event object the SDK receives for a stored event.
 *
 * `id` is the event's `id`, not always the internal ULID: the Go server sends
 * `TrackedEvent.GetEvent().Map()`, whose `id` is the sender's idempotency key when one was given
 * and the internal ULID otherwise. Functions that read `event.id` therefore see what they sent.
 * `user` is always present (Go forces `{}`), `v` only when set.
 */
export function toSdkEvent(e: StoredEvent): SdkEvent {
  const out: SdkEvent = { name: e.name, data: e.data, id: e.id, ts: e.ts, user: e.user };
  if (e.v !== undefined) out.v = e.v;
  return out;
}

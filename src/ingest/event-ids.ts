/**
 * Internal event ids: ULIDs, deterministic when the SDK sends an `x-inngest-event-id-seed` header.
 * @module
 */
import { decodeTime, encodeTime, monotonicFactory, type ULIDFactory } from "ulid";

/** Crockford base32, the ULID alphabet. */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/** Bytes of randomness in a ULID (80 bits, 16 characters). */
export const ULID_ENTROPY_BYTES = 10;
/** Largest time a ULID can hold (48 bits of milliseconds). */
const ULID_TIME_MAX = 2 ** 48 - 1;

/**
 * `<unixMillis>,<standard base64 of 10 bytes>`, as the SDK's `_send` builds it. 10 bytes encode
 * to 14 characters plus `==` padding; anything else is not a seed the SDK produced.
 */
const SEED_PATTERN = /^(\d{1,15}),([A-Za-z0-9+/]{14}==)$/;

/** Created on first use: one factory per isolate keeps ids from one isolate strictly ordered. */
let monotonic: ULIDFactory | undefined;

/**
 * Returns `count` internal event ids for one ingest request, in input order.
 * With a valid SDK seed header the ids are deterministic, so a send the SDK retries gets the same
 * ids again; otherwise (no header or a malformed one) they are fresh monotonic ULIDs at `nowMs`.
 */
export function newEventIds(count: number, seedHeader: string | null, nowMs: number): string[] {
  const seed = seedHeader === null ? null : parseSeed(seedHeader);
  const ids: string[] = new Array(count);
  if (seed) {
    for (let i = 0; i < count; i++) ids[i] = ulidFromParts(seed.millis, seededEntropy(seed.entropy, i));
    return ids;
  }
  monotonic ??= monotonicFactory();
  for (let i = 0; i < count; i++) ids[i] = monotonic(nowMs);
  return ids;
}

/** Decodes the millisecond timestamp of a ULID; throws if `id` is not a ULID. */
export function ulidTime(id: string): number {
  return decodeTime(id);
}

/** Encodes a ULID from its parts: 48-bit millisecond time and the first 10 bytes of `entropy`. */
export function ulidFromParts(timeMs: number, entropy: Uint8Array): string {
  if (entropy.length < ULID_ENTROPY_BYTES) {
    throw new RangeError(`ULID entropy needs ${ULID_ENTROPY_BYTES} bytes, got ${entropy.length}`);
  }
  let out = encodeTime(timeMs, 10);
  // Two 40-bit halves: each is exact in a double and encodes to exactly 8 characters.
  for (let start = 0; start < ULID_ENTROPY_BYTES; start += 5) {
    let value = 0;
    for (let i = start; i < start + 5; i++) value = value * 256 + entropy[i]!;
    let chunk = "";
    for (let c = 0; c < 8; c++) {
      chunk = ALPHABET[value % 32] + chunk;
      value = Math.floor(value / 32);
    }
    out += chunk;
  }
  return out;
}

/** Parses the seed header; null when it is not exactly what the SDK sends (Go does the same). */
function parseSeed(header: string): { millis: number; entropy: Uint8Array } | null {
  const match = SEED_PATTERN.exec(header);
  if (!match) return null;
  const millis = Number(match[1]);
  if (millis <= 0 || millis > ULID_TIME_MAX) return null;
  const raw = atob(match[2]!);
  const entropy = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) entropy[i] = raw.charCodeAt(i);
  return { millis, entropy };
}

/**
 * The entropy for the event at `index`: the seed with `index + 1` added to its last four bytes
 * as a big-endian uint32, wrapping within those four bytes. This is exactly what the Go server's
 * `SeededIDFromString` does (its event index starts at 1), so a given header yields the same ids
 * on stepflare as on Inngest; ids stay distinct for any request size up to 2^32 events.
 */
function seededEntropy(seed: Uint8Array, index: number): Uint8Array {
  const out = seed.slice();
  const view = new DataView(out.buffer);
  view.setUint32(6, (view.getUint32(6) + index + 1) >>> 0);
  return out;
}

const encoder = new TextEncoder();

/**
 * A ULID at `timeMs` whose entropy is the first 10 bytes of SHA-256(`key`): the same key and time
 * always give the same id, which makes anything the server emits idempotent.
 */
export async function hashedUlid(timeMs: number, key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(key));
  return ulidFromParts(timeMs, new Uint8Array(digest, 0, ULID_ENTROPY_BYTES));
}

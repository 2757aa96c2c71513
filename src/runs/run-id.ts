/**
 * Deterministic run ids, so that a redelivered Queue message creates the same run, not a second one.
 * @module
 */
import { ULID_ENTROPY_BYTES, ulidFromParts, ulidTime } from "../ingest/event-ids";

const encoder = new TextEncoder();

/**
 * The run id for the run an event starts for one function: a ULID whose time is the event's and
 * whose entropy is the first 10 bytes of SHA-256(`<eventInternalId>:<functionId>`). Runs therefore
 * sort with their events, and routing the same (event, function) twice names the same run.
 * Throws if `eventInternalId` is not a ULID.
 */
export async function runIdFor(eventInternalId: string, functionId: string): Promise<string> {
  return hashedUlid(ulidTime(eventInternalId), `${eventInternalId}:${functionId}`);
}

/**
 * A ULID at `timeMs` whose entropy is the first 10 bytes of SHA-256(`key`): the same key and time
 * always give the same id, which makes anything the server emits idempotent.
 */
export async function hashedUlid(timeMs: number, key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(key));
  return ulidFromParts(timeMs, new Uint8Array(digest, 0, ULID_ENTROPY_BYTES));
}

/**
 * Deterministic run ids, so that a redelivered Queue message creates the same run, not a second one.
 * @module
 */
import { hashedUlid, ulidTime } from "../ingest/event-ids";

/**
 * The run id for the run an event starts for one function: a ULID whose time is the event's and
 * whose entropy is the first 10 bytes of SHA-256(`<eventInternalId>:<functionId>`). Runs therefore
 * sort with their events, and routing the same (event, function) twice names the same run.
 * Throws if `eventInternalId` is not a ULID.
 */
export async function runIdFor(eventInternalId: string, functionId: string): Promise<string> {
  return hashedUlid(ulidTime(eventInternalId), `${eventInternalId}:${functionId}`);
}

/**
 * Stored events as the APIs show them: Inngest's REST v1 shape and the dashboard's `/v0` shape.
 * @module
 */
import type { EventRecord, ListedEvent } from "./events";

/** The stored event JSON: the event as functions see it (ingest fills in `id` and `data`), plus its internal id. */
type StoredJson = { internalId: string; name: string; id: string; data: Record<string, unknown> } & Record<string, unknown>;

/** An event in Inngest's REST v1 shape: the event's own fields plus when and how it was received. */
export function toApiEvent(event: EventRecord) {
  const { internalId, ...fields } = JSON.parse(event.data) as StoredJson;
  const received_at = new Date(event.received_at).toISOString();
  return { internal_id: internalId, ...fields, received_at, status: event.status, ...failure(event) };
}

/** An event as the dashboard's stream reads it: as v1 shows it, plus how many runs it started. */
export function toUiEvent(event: ListedEvent) {
  const { internalId, ...fields } = JSON.parse(event.data) as StoredJson;
  return {
    ...fields,
    internal_id: internalId,
    received_at: new Date(event.received_at).toISOString(),
    status: event.status,
    run_count: event.run_count,
    ...failure(event),
  };
}

/** `error`, only on a failed event: why routing it failed. */
function failure(event: EventRecord): { error?: string } {
  return event.error === null ? {} : { error: event.error };
}

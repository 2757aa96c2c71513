-- Claims of senders' event ids (24 h deduplication) now live in the event shards' own storage
-- (src/ingest/event-shard-store.ts), which delete them when their window is over.
DROP TABLE IF EXISTS event_idempotency;

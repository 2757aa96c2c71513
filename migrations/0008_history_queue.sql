-- History arrives through the history Queue, whose messages may be delivered more than once and
-- out of order: each run and step row carries the sequence number its run's object gave that
-- version, and an upsert only replaces a row with a newer one. Rows written before this keep 0.
ALTER TABLE runs ADD COLUMN history_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE steps ADD COLUMN history_seq INTEGER NOT NULL DEFAULT 0;

-- Retention deletes in bounded batches, oldest first, by the time each row became history.
CREATE INDEX runs_by_ended ON runs(ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX skipped_runs_by_created ON skipped_runs(created_at);
CREATE INDEX run_reruns_by_created ON run_reruns(created_at);
CREATE INDEX event_idempotency_by_expiry ON event_idempotency(expires_at);

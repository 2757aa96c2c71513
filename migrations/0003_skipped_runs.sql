-- Runs flow control decided not to start (rate limit, idempotency, singleton skip): the event is
-- stored as usual and the skip is kept here so history shows why nothing ran.
CREATE TABLE skipped_runs (
  event_id     TEXT NOT NULL,
  function_id  TEXT NOT NULL,
  reason       TEXT NOT NULL CHECK (reason IN ('rate_limit', 'idempotency', 'singleton')),
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (event_id, function_id)
);
CREATE INDEX skipped_runs_by_function ON skipped_runs(function_id, created_at);

-- The chain guard keeps its skips here too: `self_trigger` (a function's own end event) and
-- `chain_depth` (an end event too deep in a chain of runs started by end events). SQLite cannot
-- change a CHECK constraint in place, so the table is rebuilt with the wider reason set.
CREATE TABLE skipped_runs_next (
  event_id     TEXT NOT NULL,
  function_id  TEXT NOT NULL,
  reason       TEXT NOT NULL
               CHECK (reason IN ('rate_limit', 'idempotency', 'singleton', 'self_trigger', 'chain_depth')),
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (event_id, function_id)
);
INSERT INTO skipped_runs_next (event_id, function_id, reason, created_at)
  SELECT event_id, function_id, reason, created_at FROM skipped_runs;
DROP TABLE skipped_runs;
ALTER TABLE skipped_runs_next RENAME TO skipped_runs;
CREATE INDEX skipped_runs_by_function ON skipped_runs(function_id, created_at);

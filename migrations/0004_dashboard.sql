-- Dashboard and REST API reads: newest-first lists of runs across all functions, and the link
-- from a rerun to the run it repeats.

-- `GET /v0/runs` without a function or status filter pages through every run, newest first.
CREATE INDEX runs_by_queued ON runs(queued_at, id);

-- Bulk cancellation (`POST /v1/cancellations`) selects a function's active runs by start time.
CREATE INDEX runs_active_by_function ON runs(function_id, queued_at) WHERE status IN ('queued', 'running');

-- A run started from the dashboard or API as a rerun of another, optionally from a chosen step.
-- Kept apart from `runs` because the run's own history flush rewrites that row.
CREATE TABLE run_reruns (
  run_id      TEXT PRIMARY KEY,              -- the new run
  rerun_of    TEXT NOT NULL,                 -- the run it repeats
  from_step   TEXT,                          -- hashed step id it reran from; NULL: from the start
  created_at  INTEGER NOT NULL
);
CREATE INDEX run_reruns_by_original ON run_reruns(rerun_of);

-- The run view tells the whole story: each failed attempt's error, and the link between an
-- invoking step and the run it started.

-- A JSON array of the step's failed attempts' errors (newest HISTORY_ATTEMPT_ERRORS_PER_STEP,
-- oldest first): `error` alone keeps only the latest.
ALTER TABLE steps ADD COLUMN attempt_errors TEXT;

-- A parent run's invoke step finds its child run through the `inngest/function.invoked` event
-- whose correlation id is `<parent run id>.<step id>`.
CREATE INDEX events_by_invoke_correlation ON events(data ->> '$.data._inngest.correlation_id')
  WHERE name = 'inngest/function.invoked';

-- What an event did besides starting runs: the waits it resumed (`step.waitForEvent`, and the
-- `step.invoke` a child's end event resumes) and the runs it cancelled (`cancelOn`), for the
-- event's page. Written through the history Queue; deleted by retention like skipped runs.
CREATE TABLE event_effects (
  event_id    TEXT NOT NULL,                 -- internal id of the event
  run_id      TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('resumed', 'cancelled')),
  step_id     TEXT NOT NULL DEFAULT '',      -- the step resumed; '' for a cancellation
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (event_id, run_id, kind, step_id)
);
CREATE INDEX event_effects_by_created ON event_effects(created_at);

-- The run view tells the whole story: each failed attempt's error, and the link between an
-- invoking step and the run it started.

-- A JSON array of the step's failed attempts' errors (newest HISTORY_ATTEMPT_ERRORS_PER_STEP,
-- oldest first): `error` alone keeps only the latest.
ALTER TABLE steps ADD COLUMN attempt_errors TEXT;

-- A parent run's invoke step finds its child run through the `inngest/function.invoked` event
-- whose correlation id is `<parent run id>.<step id>`.
CREATE INDEX events_by_invoke_correlation ON events(data ->> '$.data._inngest.correlation_id')
  WHERE name = 'inngest/function.invoked';

-- The wait index: runs paused on an event (waitForEvent), on a child run (invoke), or listening
-- for a cancelling event (cancelOn). Keyed by event name; equality waits (`event.x == async.y`)
-- also store the run's side of the comparison so an incoming event finds them by lookup.
CREATE TABLE pauses (
  id             TEXT PRIMARY KEY,            -- <run id>:<step id>, or <run id>:cancel:<rule index>
  run_id         TEXT NOT NULL,
  step_id        TEXT,                        -- null for cancel listeners
  kind           TEXT NOT NULL CHECK (kind IN ('wait', 'invoke', 'cancel')),
  event_name     TEXT NOT NULL,
  expression     TEXT,                        -- CEL over `event` (the run's trigger) and `async`
  match_path     TEXT,                        -- e.g. 'data.orderId': where to look in the incoming event
  match_value    TEXT,                        -- the JSON value it must equal
  trigger_event  TEXT NOT NULL,               -- the run's triggering event, for `event.` in expressions
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL
);
CREATE INDEX pauses_by_match ON pauses(event_name, match_path, match_value);
CREATE INDEX pauses_by_run ON pauses(run_id);
CREATE INDEX pauses_by_expiry ON pauses(expires_at);

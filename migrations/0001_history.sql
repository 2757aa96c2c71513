-- stepflare history: apps and their functions, every event received, every run and its steps.
-- Statuses are string unions guarded by CHECK constraints; times are ms since the epoch.

CREATE TABLE apps (
  id           TEXT PRIMARY KEY,              -- the SDK client id (appName in the sync payload)
  url          TEXT NOT NULL,                 -- serve URL the server calls
  sdk          TEXT,
  framework    TEXT,
  app_version  TEXT,
  checksum     TEXT NOT NULL,                 -- of the synced function set, to report `modified`
  sync_error   TEXT,
  created_at   INTEGER NOT NULL,
  synced_at    INTEGER NOT NULL
);

CREATE TABLE functions (
  id          TEXT PRIMARY KEY,               -- composite slug: <app id>-<function id>
  app_id      TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  config      TEXT NOT NULL,                  -- validated FunctionConfig as JSON
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX functions_by_app ON functions(app_id);

CREATE TABLE events (
  internal_id  TEXT PRIMARY KEY,              -- ULID returned to the sender
  id           TEXT NOT NULL,                 -- user-given idempotency id, else the ULID
  name         TEXT NOT NULL,
  data         TEXT NOT NULL,                 -- the whole event as JSON
  ts           INTEGER NOT NULL,
  received_at  INTEGER NOT NULL,
  target       TEXT,                          -- the one function a server-emitted event is for
  status       TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'routed', 'duplicate')),
  routed_at    INTEGER
);
CREATE INDEX events_by_received ON events(received_at);
CREATE INDEX events_by_name ON events(name, received_at);
CREATE INDEX events_pending ON events(received_at) WHERE status = 'pending';

-- A user-given event id starts runs once per 24 h; later events with that id are stored only.
CREATE TABLE event_idempotency (
  key          TEXT PRIMARY KEY,
  internal_id  TEXT NOT NULL,
  expires_at   INTEGER NOT NULL
);

CREATE TABLE runs (
  id           TEXT PRIMARY KEY,              -- ULID, derived from (event, function)
  function_id  TEXT NOT NULL,
  app_id       TEXT NOT NULL,
  event_id     TEXT NOT NULL,                 -- internal id of the triggering event
  status       TEXT NOT NULL
               CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  output       TEXT,
  error        TEXT,
  queued_at    INTEGER NOT NULL,
  started_at   INTEGER,
  ended_at     INTEGER,
  updated_at   INTEGER NOT NULL
);
CREATE INDEX runs_by_event ON runs(event_id);
CREATE INDEX runs_by_function ON runs(function_id, queued_at);
CREATE INDEX runs_by_status ON runs(status, queued_at);

CREATE TABLE steps (
  run_id        TEXT NOT NULL,
  step_id       TEXT NOT NULL,                -- hashed step id as the SDK reports it
  name          TEXT,                         -- the user's step id
  display_name  TEXT,
  op            TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'errored')),
  attempts      INTEGER NOT NULL DEFAULT 0,
  output        TEXT,
  error         TEXT,
  started_at    INTEGER,
  ended_at      INTEGER,
  seq           INTEGER NOT NULL,             -- order in which the step was first seen
  PRIMARY KEY (run_id, step_id)
);

/**
 * The RunObject's SQLite schema, as numbered migrations applied once per object.
 * Each object holds exactly one run; `run` therefore has a single row.
 */
export const RUN_MIGRATIONS: readonly string[] = [
  `CREATE TABLE run (
     singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
     id               TEXT NOT NULL,
     function_id      TEXT NOT NULL,
     app_id           TEXT NOT NULL,
     event_id         TEXT NOT NULL,
     step_url         TEXT NOT NULL,
     status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
     version          INTEGER NOT NULL DEFAULT -1,
     force_step_plan  INTEGER NOT NULL DEFAULT 0,
     max_attempts     INTEGER NOT NULL,
     finish_timeout   INTEGER,                 -- ms from the first attempt to the end, if limited
     constraints      TEXT NOT NULL DEFAULT '[]', -- concurrency limits each step must fit under
     priority         REAL NOT NULL DEFAULT 0,
     singleton_flow   TEXT,                    -- the singleton slot this run holds
     throttle         TEXT,                    -- the throttle bucket its start is taken from
     throttled_until  INTEGER,                 -- the start the bucket reserved, once reserved
     queued_at        INTEGER NOT NULL,
     started_at       INTEGER,
     ended_at         INTEGER
   );
   -- Large JSON values (events, memos, output) split into chunks that fit a 2 MB row.
   CREATE TABLE blobs (
     key    TEXT NOT NULL,
     chunk  INTEGER NOT NULL,
     data   TEXT NOT NULL,
     PRIMARY KEY (key, chunk)
   );
   -- Completed step ids in the order the SDK must replay them (ctx.stack.stack).
   CREATE TABLE stack (
     pos      INTEGER PRIMARY KEY AUTOINCREMENT,
     step_id  TEXT NOT NULL UNIQUE
   );
   -- Requests owed to the app. gen changes when a request is asked for again while in flight,
   -- so the older answer does not erase the newer request.
   CREATE TABLE calls (
     target        TEXT PRIMARY KEY,
     kind          TEXT NOT NULL DEFAULT 'sdk' CHECK (kind IN ('sdk', 'gateway')),
     detail        TEXT,                    -- the request of a gateway call (step.fetch)
     attempt       INTEGER NOT NULL,
     due_at        INTEGER NOT NULL,
     leased_until  INTEGER,
     gen           INTEGER NOT NULL
   );
   -- Steps of the current parallel group still without a result.
   CREATE TABLE pending_plan (step_id TEXT PRIMARY KEY);
   -- Steps resolved by time or by another event: sleeps, event waits, invoked children.
   CREATE TABLE waits (
     step_id  TEXT PRIMARY KEY,
     kind     TEXT NOT NULL CHECK (kind IN ('sleep', 'event', 'invoke')),
     wake_at  INTEGER NOT NULL,             -- when the sleep ends or the wait times out
     detail   TEXT NOT NULL
   );
   -- Run-level deadlines (timeouts.start, timeouts.finish).
   CREATE TABLE run_timers (
     kind  TEXT PRIMARY KEY CHECK (kind IN ('start_timeout', 'finish_timeout')),
     at    INTEGER NOT NULL
   );
   -- Effects outside this object, written with the transition that causes them and carried out
   -- after it commits; a row is deleted only once its effect is done.
   CREATE TABLE outbox (
     seq   INTEGER PRIMARY KEY AUTOINCREMENT,
     kind  TEXT NOT NULL CHECK (kind IN ('pause', 'unpause', 'unpause_run', 'emit', 'invoke', 'release_singleton')),
     body  TEXT NOT NULL
   );
   CREATE TABLE steps (
     step_id       TEXT PRIMARY KEY,
     name          TEXT,
     display_name  TEXT,
     op            TEXT NOT NULL,
     status        TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'errored')),
     attempts      INTEGER NOT NULL DEFAULT 0,
     error         TEXT,
     started_at    INTEGER,
     ended_at      INTEGER,
     seq           INTEGER NOT NULL
   );
   -- History rows changed since the last copy to D1.
   CREATE TABLE dirty (
     kind  TEXT NOT NULL CHECK (kind IN ('run', 'step')),
     key   TEXT NOT NULL,
     rev   INTEGER NOT NULL,
     PRIMARY KEY (kind, key)
   );`,
  // History goes to D1 through a Queue (history-flush.ts): a row stays dirty until the consumer
  // confirms it, and is sent again if that takes too long. `rev` becomes a sequence number shared
  // by every row of the run, so D1 can tell a newer version of a row from an older one.
  `ALTER TABLE dirty ADD COLUMN sent_at INTEGER;
   CREATE TABLE history_seq (
     singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
     seq        INTEGER NOT NULL
   );
   INSERT INTO history_seq (singleton, seq) SELECT 1, coalesce(max(rev), 0) FROM dirty;`,
  // Signals: a step can wait for one (waits.kind 'signal') and its claim on the signal name is an
  // outbox effect (outbox.kind 'signal'). SQLite cannot alter a CHECK, so both tables are rebuilt.
  `CREATE TABLE waits_v3 (
     step_id  TEXT PRIMARY KEY,
     kind     TEXT NOT NULL CHECK (kind IN ('sleep', 'event', 'invoke', 'signal')),
     wake_at  INTEGER NOT NULL,
     detail   TEXT NOT NULL
   );
   INSERT INTO waits_v3 SELECT step_id, kind, wake_at, detail FROM waits;
   DROP TABLE waits;
   ALTER TABLE waits_v3 RENAME TO waits;
   CREATE TABLE outbox_v3 (
     seq   INTEGER PRIMARY KEY AUTOINCREMENT,
     kind  TEXT NOT NULL CHECK (kind IN ('pause', 'unpause', 'unpause_run', 'emit', 'invoke', 'release_singleton', 'signal')),
     body  TEXT NOT NULL
   );
   INSERT INTO outbox_v3 SELECT seq, kind, body FROM outbox;
   DROP TABLE outbox;
   ALTER TABLE outbox_v3 RENAME TO outbox;`,
  // Durable endpoints: a run started by a request to the app's own endpoint (inngest.endpoint)
  // keeps the request's method, to call the endpoint the same way when the server resumes it.
  // NULL for runs started by events.
  `ALTER TABLE run ADD COLUMN endpoint_method TEXT;`,
  // Each failed attempt's error, not only the latest, so history can show every attempt
  // (HISTORY_ATTEMPT_ERRORS_PER_STEP of them): a JSON array written by RunHistory.upsertStep.
  `ALTER TABLE steps ADD COLUMN attempt_errors TEXT;`,
];

/**
 * The schema RUN_MIGRATIONS leave, in one script: a new object (one per run) is given this at
 * once rather than replaying every migration (`migrate`'s `current`). A new migration changes
 * both; tests/workers/run-schema.test.ts checks that they agree.
 */
export const RUN_SCHEMA = `CREATE TABLE run (
     singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
     id               TEXT NOT NULL,
     function_id      TEXT NOT NULL,
     app_id           TEXT NOT NULL,
     event_id         TEXT NOT NULL,
     step_url         TEXT NOT NULL,
     status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
     version          INTEGER NOT NULL DEFAULT -1,
     force_step_plan  INTEGER NOT NULL DEFAULT 0,
     max_attempts     INTEGER NOT NULL,
     finish_timeout   INTEGER,
     constraints      TEXT NOT NULL DEFAULT '[]',
     priority         REAL NOT NULL DEFAULT 0,
     singleton_flow   TEXT,
     throttle         TEXT,
     throttled_until  INTEGER,
     queued_at        INTEGER NOT NULL,
     started_at       INTEGER,
     ended_at         INTEGER,
     endpoint_method  TEXT
   );
   CREATE TABLE blobs (
     key    TEXT NOT NULL,
     chunk  INTEGER NOT NULL,
     data   TEXT NOT NULL,
     PRIMARY KEY (key, chunk)
   );
   CREATE TABLE stack (
     pos      INTEGER PRIMARY KEY AUTOINCREMENT,
     step_id  TEXT NOT NULL UNIQUE
   );
   CREATE TABLE calls (
     target        TEXT PRIMARY KEY,
     kind          TEXT NOT NULL DEFAULT 'sdk' CHECK (kind IN ('sdk', 'gateway')),
     detail        TEXT,
     attempt       INTEGER NOT NULL,
     due_at        INTEGER NOT NULL,
     leased_until  INTEGER,
     gen           INTEGER NOT NULL
   );
   CREATE TABLE pending_plan (step_id TEXT PRIMARY KEY);
   CREATE TABLE waits (
     step_id  TEXT PRIMARY KEY,
     kind     TEXT NOT NULL CHECK (kind IN ('sleep', 'event', 'invoke', 'signal')),
     wake_at  INTEGER NOT NULL,
     detail   TEXT NOT NULL
   );
   CREATE TABLE run_timers (
     kind  TEXT PRIMARY KEY CHECK (kind IN ('start_timeout', 'finish_timeout')),
     at    INTEGER NOT NULL
   );
   CREATE TABLE outbox (
     seq   INTEGER PRIMARY KEY AUTOINCREMENT,
     kind  TEXT NOT NULL CHECK (kind IN ('pause', 'unpause', 'unpause_run', 'emit', 'invoke', 'release_singleton', 'signal')),
     body  TEXT NOT NULL
   );
   CREATE TABLE steps (
     step_id         TEXT PRIMARY KEY,
     name            TEXT,
     display_name    TEXT,
     op              TEXT NOT NULL,
     status          TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'errored')),
     attempts        INTEGER NOT NULL DEFAULT 0,
     error           TEXT,
     started_at      INTEGER,
     ended_at        INTEGER,
     seq             INTEGER NOT NULL,
     attempt_errors  TEXT
   );
   CREATE TABLE dirty (
     kind     TEXT NOT NULL CHECK (kind IN ('run', 'step')),
     key      TEXT NOT NULL,
     rev      INTEGER NOT NULL,
     sent_at  INTEGER,
     PRIMARY KEY (kind, key)
   );
   CREATE TABLE history_seq (
     singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
     seq        INTEGER NOT NULL
   );
   INSERT INTO history_seq (singleton, seq) VALUES (1, 0);`;

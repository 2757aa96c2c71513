-- An event whose routing kept failing ends `failed` with the reason in `error`, instead of being
-- delivered again forever. SQLite cannot change a CHECK constraint in place, so the table is
-- rebuilt with the wider status set and its indexes are made again.
CREATE TABLE events_next (
  internal_id  TEXT PRIMARY KEY,
  id           TEXT NOT NULL,
  name         TEXT NOT NULL,
  data         TEXT NOT NULL,
  ts           INTEGER NOT NULL,
  received_at  INTEGER NOT NULL,
  target       TEXT,
  status       TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'routed', 'duplicate', 'failed')),
  routed_at    INTEGER,
  error        TEXT                           -- why routing failed, when status is 'failed'
);
INSERT INTO events_next (internal_id, id, name, data, ts, received_at, target, status, routed_at)
  SELECT internal_id, id, name, data, ts, received_at, target, status, routed_at FROM events;
DROP TABLE events;
ALTER TABLE events_next RENAME TO events;
CREATE INDEX events_by_received ON events(received_at);
CREATE INDEX events_by_name ON events(name, received_at);
CREATE INDEX events_pending ON events(received_at) WHERE status = 'pending';

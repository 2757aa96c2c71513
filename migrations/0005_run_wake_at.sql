-- When each active run next needs its alarm, copied with the run's history, so the heartbeat can
-- find runs whose alarm was lost (a wake-up long overdue) and wake them. Null once a run ends.
ALTER TABLE runs ADD COLUMN wake_at INTEGER;
CREATE INDEX runs_by_wake ON runs(wake_at) WHERE wake_at IS NOT NULL;

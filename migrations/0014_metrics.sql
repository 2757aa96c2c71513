-- The dashboard's metrics read one time window of history per chart (src/history/metrics.ts):
-- runs by when they started and by when they left the queue, and steps by when they ended.
-- Runs by end time already have runs_by_ended, by queue time runs_by_queued.
CREATE INDEX runs_by_started ON runs(started_at) WHERE started_at IS NOT NULL;
CREATE INDEX runs_by_left ON runs(coalesce(started_at, ended_at));
CREATE INDEX steps_by_ended ON steps(ended_at) WHERE ended_at IS NOT NULL;

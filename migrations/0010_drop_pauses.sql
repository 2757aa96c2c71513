-- The wait index moved to WaitShardObjects (src/waits/, durable-objects/wait-shard-object.ts):
-- registering a wait and delivering an event to waiting runs no longer touch D1. Waits stored
-- here by an earlier release are not carried over: their runs resume with `null` when their wait
-- times out, and their cancelOn listeners no longer cancel them (see README, "How it works").
DROP TABLE pauses;

import { WAIT_LOOKBACK_MAX_EVENTS } from "../constants";
import type { Env } from "../env";
import { toSdkEvent } from "../ingest/event";
import { recentEventsNamed } from "../ingest/event-shards";
import type { RunStore } from "../runs/run-store";
import { DurationError, parseDurationMs } from "../time/duration";
import { pauseSatisfiedBy } from "./match-pauses";
import { toPauseRow, type Pause } from "./pause";
import { removePauses } from "./register";

/** The configured lookback window in ms, or 0 when off (the default, as in Inngest). */
export function lookbackMs(env: Pick<Env, "STEPFLARE_WAIT_LOOKBACK">): number {
  const setting = env.STEPFLARE_WAIT_LOOKBACK?.trim();
  if (!setting) return 0;
  try {
    return parseDurationMs(setting);
  } catch (err) {
    if (err instanceof DurationError) {
      console.error(`stepflare: ignoring STEPFLARE_WAIT_LOOKBACK="${setting}": not a duration`);
      return 0;
    }
    throw err;
  }
}

/**
 * Beyond Inngest (inngest/inngest#1433): lets a `waitForEvent` be satisfied by an event that
 * arrived shortly before the wait registered, closing the race where an event sent right after
 * the trigger is missed. The earliest matching event in the window resumes the wait. The recent
 * events are read from history (D1): the one D1 read a wait makes, and only with lookback on.
 */
export async function applyLookback(env: Env, store: RunStore, pause: Pause, now: number): Promise<void> {
  const windowMs = lookbackMs(env);
  if (windowMs <= 0 || pause.kind !== "wait" || pause.stepId === null) return;
  const recent = await recentEventsNamed(env, pause.eventName, pause.createdAt - windowMs, pause.createdAt, WAIT_LOOKBACK_MAX_EVENTS);
  const row = toPauseRow(pause);
  for (const event of recent) {
    if (!pauseSatisfiedBy(row, event)) continue;
    if (store.resolveWait(pause.stepId, toSdkEvent(event), now)) await removePauses(env, store.pauseLocations.located([pause.id]));
    return;
  }
}

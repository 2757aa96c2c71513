import { DurableObject } from "cloudflare:workers";
import { HEARTBEAT_INTERVAL_MS } from "../src/constants";
import type { Env } from "../src/env";
import { redrivePendingEvents } from "../src/scheduler/redrive";

/**
 * The server's heartbeat: an alarm that keeps re-arming itself and repairs what a crash or a
 * restart can leave behind. Alarms persist, so it survives restarts of `wrangler dev` too; the
 * Cron Trigger re-arms it in production should it ever be lost.
 */
export class SchedulerObject extends DurableObject<Env> {
  /** Arms the heartbeat unless it is already armed. */
  async ensureHeartbeat(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + HEARTBEAT_INTERVAL_MS);
  }

  /** Runs one heartbeat now; returns how many events were re-driven. */
  async beat(): Promise<number> {
    return redrivePendingEvents(this.env, Date.now());
  }

  override async alarm(): Promise<void> {
    try {
      await this.beat();
    } finally {
      await this.ctx.storage.setAlarm(Date.now() + HEARTBEAT_INTERVAL_MS);
    }
  }
}

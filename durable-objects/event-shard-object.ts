import { DurableObject } from "cloudflare:workers";
import type { Env } from "../src/env";
import { runShardAlarm } from "../src/ingest/event-shard-alarm";
import { acceptArgsSchema, loadArgsSchema, markArgsSchema, unwrittenNamedArgsSchema } from "../src/ingest/event-shard-rpc";
import { historyWriteAt, pacedAlarmAt } from "../src/ingest/history-pace";
import { EventShardStore, type HeldEvent, type RecentEvent, type ShardItem } from "../src/ingest/event-shard-store";
import { parseRpcArgs } from "../src/util/rpc-args";
import { phaseClock } from "../src/metering/phase-timing";

/**
 * One of EVENT_SHARD_COUNT event shards: accepted events are durable here before their ids
 * return, the 24 h dedupe claims of the sender ids that fall here are decided here, and the
 * events stay until routing confirms them. Its alarm re-drives unconfirmed events and writes
 * history to D1 behind the hot path. A thin shell over EventShardStore and runShardAlarm.
 */
export class EventShardObject extends DurableObject<Env> {
  readonly #store: EventShardStore;
  /**
   * When the alarm is set to ring, as this instance last set it; undefined when unknown (a new
   * instance, or the alarm just rang). Saves asking storage on every accepted request.
   */
  #alarmAt: number | null | undefined;
  /** When this instance's last alarm began (null: none yet), to pace history writes. */
  #lastAlarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new EventShardStore(ctx.storage);
  }

  /** Stores events received at `receivedAt` (or their own); returns the internal ids to enqueue (not duplicates, not settled). */
  async accept(items: ShardItem[], receivedAt: number): Promise<string[]> {
    const clock = phaseClock(this.env, "ingest.shard");
    [items, receivedAt] = parseRpcArgs(acceptArgsSchema, [items, receivedAt], "EventShardObject.accept");
    clock?.lap("args");
    const pending = this.#store.accept(items, receivedAt);
    clock?.lap("store");
    await this.#armSoon();
    clock?.lap("alarm");
    return pending;
  }

  /** The stored events among `internalIds`, as JSON for the caller to parse. */
  async load(internalIds: string[]): Promise<HeldEvent[]> {
    return this.#store.load(parseRpcArgs(loadArgsSchema, internalIds, "EventShardObject.load"));
  }

  /** Events named `name` received in [from, to) not yet in D1 history (see EventShardStore.unwrittenNamed). */
  async unwrittenNamed(name: string, from: number, to: number, limit: number): Promise<RecentEvent[]> {
    [name, from, to, limit] = parseRpcArgs(unwrittenNamedArgsSchema, [name, from, to, limit], "EventShardObject.unwrittenNamed");
    return this.#store.unwrittenNamed(name, from, to, limit);
  }

  /** Records how routing settled events; returns the ids this shard does not hold. */
  async mark(marks: { internalId: string; status: "routed" | "failed"; error?: string; onlyPending?: boolean }[], now: number): Promise<string[]> {
    [marks, now] = parseRpcArgs(markArgsSchema, [marks, now], "EventShardObject.mark");
    const notHeld = this.#store.mark(marks, now);
    await this.#armSoon();
    return notHeld;
  }

  override async alarm(): Promise<void> {
    // The platform clears the alarm as it rings; what the work below sets is not known yet.
    this.#alarmAt = undefined;
    this.#lastAlarmAt = Date.now();
    const next = await runShardAlarm(this.env, this.#store, this.#lastAlarmAt);
    if (next !== null) await this.#setAlarm(pacedAlarmAt(next, this.#lastAlarmAt));
  }

  /** History is written one batch at a time: the alarm rings soon (paced under load), unless it already will. */
  async #armSoon(): Promise<void> {
    const at = historyWriteAt(Date.now(), this.#lastAlarmAt);
    if (this.#alarmAt === undefined) this.#alarmAt = await this.ctx.storage.getAlarm();
    if (this.#alarmAt === null || this.#alarmAt > at) await this.#setAlarm(at);
  }

  async #setAlarm(at: number): Promise<void> {
    // Unknown until storage took it: a failed set must not leave a time that was never stored.
    this.#alarmAt = undefined;
    await this.ctx.storage.setAlarm(at);
    this.#alarmAt = at;
  }
}

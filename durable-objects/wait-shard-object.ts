import { DurableObject } from "cloudflare:workers";
import type { Env } from "../src/env";
import type { StoredEvent } from "../src/ingest/event";
import { parseRpcArgs } from "../src/util/rpc-args";
import type { PauseRow } from "../src/waits/pause";
import { claimSignalArgsSchema, lookupArgsSchema, notePathArgsSchema, pauseIdsSchema, pauseRowSchema, signalHolderArgsSchema } from "../src/waits/shard-rpc";
import type { SignalClaim, SignalHold } from "../src/waits/signal-holds";
import { WaitShardStore, type ShardLookup } from "../src/waits/shard-store";
import { NameListing } from "../src/waits/waited-names";

/**
 * One shard of the wait index (see src/waits/shard-names.ts): the pauses of one event name that
 * are found by evaluation, with that name's registry of match paths, or the pauses of one
 * (name, match path, value), or the holder of one signal name. A thin shell over `WaitShardStore`; its alarm deletes expired pauses.
 */
export class WaitShardObject extends DurableObject<Env> {
  readonly #store: WaitShardStore;
  /** The event names this name shard holds waits for, listed in the registry (src/waits/waited-names.ts). */
  readonly #names: NameListing;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new WaitShardStore(ctx.storage);
    this.#names = new NameListing(env);
  }

  /**
   * Stores a pause; storing it again changes nothing. A pause that cannot be found by lookup goes
   * only to its name shard (src/waits/register.ts), which lists the name first; any other had its
   * match path noted in the name shard, which listed the name then.
   */
  async register(row: PauseRow): Promise<void> {
    row = parseRpcArgs(pauseRowSchema, row, "WaitShardObject.register");
    if (row.match_path === null || row.match_value === null) await this.#names.ensure(row.event_name, row.expires_at);
    this.#store.register(row);
    await this.#rearm();
  }

  /** Lists a match path for an event name in this name shard: until when, or null when the registry is full. */
  async notePath(eventName: string, path: string, until: number, now: number): Promise<number | null> {
    [eventName, path, until, now] = parseRpcArgs(notePathArgsSchema, [eventName, path, until, now], "WaitShardObject.notePath");
    // Listed even when the path is refused: the pause is then stored here, unindexed.
    await this.#names.ensure(eventName, until);
    const listed = this.#store.notePath(eventName, path, until, now);
    if (listed !== null) await this.#rearm();
    return listed;
  }

  /** The pauses `events` satisfy (at most `limit`), and the match paths of their names. */
  async lookup(events: StoredEvent[], now: number, limit: number): Promise<ShardLookup> {
    [events, now, limit] = parseRpcArgs(lookupArgsSchema, [events, now, limit], "WaitShardObject.lookup");
    return this.#store.lookup(events, now, limit);
  }

  /** Claims a signal name for a waiting step: held, or the run holding it when a "fail" claim conflicts. */
  async claimSignal(hold: SignalHold, replace: boolean, now: number): Promise<SignalClaim> {
    [hold, replace, now] = parseRpcArgs(claimSignalArgsSchema, [hold, replace, now], "WaitShardObject.claimSignal");
    const claim = this.#store.claimSignal(hold, replace, now);
    await this.#rearm();
    return claim;
  }

  /** The step waiting for a signal name, or null. */
  async signalHolder(signal: string, now: number): Promise<SignalHold | null> {
    [signal, now] = parseRpcArgs(signalHolderArgsSchema, [signal, now], "WaitShardObject.signalHolder");
    return this.#store.signalHolder(signal, now);
  }

  /** Removes pauses by id (delivered, resolved or timed out in their run, or their run ended). */
  async remove(ids: string[]): Promise<void> {
    this.#store.remove(parseRpcArgs(pauseIdsSchema, ids, "WaitShardObject.remove"));
    await this.#wipeIfEmpty();
  }

  override async alarm(): Promise<void> {
    const next = this.#store.expire(Date.now());
    if (next !== null) await this.ctx.storage.setAlarm(next);
    else await this.#wipeIfEmpty();
  }

  /**
   * An empty shard deletes its storage, so the objects of values no one waits on any more (every
   * invoke has its own) do not stay behind. The next registration creates it again.
   */
  async #wipeIfEmpty(): Promise<void> {
    if (!this.#store.isEmpty()) return;
    // No call may run between the check and the wipe: a pause stored then would be wiped too.
    await this.ctx.blockConcurrencyWhile(async () => {
      if (!this.#store.isEmpty()) return;
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
      this.#store.wiped();
    });
  }

  /** Arms the alarm for the earliest expiry, unless it is already due sooner. */
  async #rearm(): Promise<void> {
    const next = this.#store.nextExpiry();
    if (next === null) return;
    const armed = await this.ctx.storage.getAlarm();
    if (armed === null || armed > next) await this.ctx.storage.setAlarm(next);
  }
}

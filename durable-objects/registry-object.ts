import { DurableObject } from "cloudflare:workers";
import type { Env } from "../src/env";
import { bumpVersion, currentVersion, hasVersion } from "../src/sync/registry-version";
import { parseRpcArgs } from "../src/util/rpc-args";
import { listWaitedNameArgsSchema, routingStateArgsSchema, WaitedNames } from "../src/waits/waited-names";

/**
 * The function registry's version (src/sync/registry.ts): one object, asked once per consumer
 * batch and bumped by syncs that change functions. Both answers come from the object's own
 * SQLite-backed storage, read each time rather than kept in a field, so the version can never
 * outlive the storage it came from. The same call tells which event names no run waits for
 * (src/waits/waited-names.ts).
 */
export class RegistryObject extends DurableObject<Env> {
  /** The event names runs wait for (src/waits/waited-names.ts). */
  readonly #waited: WaitedNames;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#waited = new WaitedNames(ctx.storage, hasVersion(ctx.storage.kv));
  }

  /** Moves the version on; returns the new one. */
  async bump(): Promise<string> {
    return bumpVersion(this.ctx.storage.kv);
  }

  /**
   * What a consumer batch routes with, in one call: the version, and which of its events' names
   * no run waits for (their wait-index lookups are skipped).
   */
  async routingState(names: string[], now: number): Promise<{ version: string; quiet: string[] }> {
    [names, now] = parseRpcArgs(routingStateArgsSchema, [names, now], "RegistryObject.routingState");
    return { version: currentVersion(this.ctx.storage.kv), quiet: this.#waited.quiet(names, now) };
  }

  /** Lists an event name as waited on until at least `until` (a name shard, before it stores a wait). */
  async listWaitedName(name: string, until: number): Promise<void> {
    [name, until] = parseRpcArgs(listWaitedNameArgsSchema, [name, until], "RegistryObject.listWaitedName");
    this.#waited.list(name, until, Date.now());
  }
}

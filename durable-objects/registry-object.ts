import { DurableObject } from "cloudflare:workers";
import type { Env } from "../src/env";
import { bumpVersion, currentVersion } from "../src/sync/registry-version";

/**
 * The function registry's version (src/sync/registry.ts): one object, asked once per consumer
 * batch and bumped by syncs that change functions. Both answers come from the object's own
 * SQLite-backed storage, read each time rather than kept in a field, so the version can never
 * outlive the storage it came from.
 */
export class RegistryObject extends DurableObject<Env> {
  /** The current version. */
  async version(): Promise<string> {
    return currentVersion(this.ctx.storage.kv);
  }

  /** Moves the version on; returns the new one. */
  async bump(): Promise<string> {
    return bumpVersion(this.ctx.storage.kv);
  }
}

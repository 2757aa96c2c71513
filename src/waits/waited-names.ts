/**
 * The event names that have waits, listed in the RegistryObject, so routing skips the wait-index
 * lookup (a Durable Object call per event name) for events no run waits for: most events, and
 * every `inngest/function.finished` while no `step.invoke` waits.
 *
 * A name shard lists its event name before it stores a pause of that name or a match path for it
 * (an equality pause is stored only after its path is listed in the name shard, see register.ts),
 * until past the latest expiry it was asked for. A wait registered before an event was accepted is
 * therefore listed before routing asks the registry about the event, and lookups only find pauses
 * that have not expired, so a name without a live listing has nothing to find.
 * @module
 */
import { z } from "zod";
import { REGISTRY_OBJECT_NAME, WAITED_NAME_LISTING_SLACK_MS, WAITED_NAMES_UPGRADE_TRUST_MS } from "../constants";
import type { Env } from "../env";
import { createOrMigrate } from "../util/sqlite-migrate";

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE waited_names (name TEXT PRIMARY KEY, until INTEGER NOT NULL);
   CREATE INDEX waited_names_until ON waited_names (until);`,
];

/** Since when every registration lists its name (0: always, a registry made by a build that lists). */
const SINCE_KEY = "waited-names-since";

/** `routingState(names, now)`: the event names of a consumer batch, and its time. */
export const routingStateArgsSchema = z.tuple([z.array(z.string()), z.number()]);

/** `listWaitedName(name, until)`. */
export const listWaitedNameArgsSchema = z.tuple([z.string().min(1), z.number()]);

/** The listing, in the RegistryObject's SQLite storage. */
export class WaitedNames {
  readonly #sql: SqlStorage;
  readonly #since: number;

  /**
   * `older` says the registry already held a function version from a build that did not list
   * names: waits it registered are not listed, so the listing is complete only
   * WAITED_NAMES_UPGRADE_TRUST_MS later. A registry without one never saw a pause registered.
   */
  constructor(storage: DurableObjectStorage, older: boolean, now = Date.now()) {
    this.#sql = storage.sql;
    createOrMigrate(this.#sql, MIGRATIONS, MIGRATIONS[0]!);
    let since = storage.kv.get<number>(SINCE_KEY);
    if (since === undefined) {
      since = older ? now : 0;
      storage.kv.put(SINCE_KEY, since);
    }
    this.#since = since;
  }

  /** Lists `name` as waited on until at least `until`; drops listings that have ended. */
  list(name: string, until: number, now: number): void {
    this.#sql.exec("DELETE FROM waited_names WHERE until <= ?", now);
    this.#sql.exec("INSERT INTO waited_names (name, until) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET until = max(until, ?2)", name, until);
  }

  /** The names among `names` no run waits for at `now`; none while the listing may be incomplete. */
  quiet(names: string[], now: number): string[] {
    if (this.#since !== 0 && now < this.#since + WAITED_NAMES_UPGRADE_TRUST_MS) return [];
    const unique = [...new Set(names)];
    if (unique.length === 0) return [];
    const waited = new Set(
      this.#sql
        .exec<{ name: string }>("SELECT name FROM waited_names WHERE name IN (SELECT value FROM json_each(?)) AND until > ?", JSON.stringify(unique), now)
        .toArray()
        .map((r) => r.name),
    );
    return unique.filter((name) => !waited.has(name));
  }
}

/**
 * A name shard's side: lists the event names it stores waits for, asking the registry only when
 * a pause lives past what this instance last listed (restarted, it asks again once).
 */
export class NameListing {
  readonly #env: Pick<Env, "REGISTRY">;
  readonly #listed = new Map<string, number>();

  constructor(env: Pick<Env, "REGISTRY">) {
    this.#env = env;
  }

  /** Makes sure `name` is listed until at least `until`; throws when the registry cannot be told. */
  async ensure(name: string, until: number): Promise<void> {
    if ((this.#listed.get(name) ?? 0) >= until) return;
    const listed = until + WAITED_NAME_LISTING_SLACK_MS;
    await this.#env.REGISTRY.getByName(REGISTRY_OBJECT_NAME).listWaitedName(name, listed);
    this.#listed.set(name, listed);
  }
}

/**
 * The cached, versioned function registry: what the events consumer routes with. The functions
 * live in D1 (src/sync/store.ts); their version lives in the one RegistryObject, which every sync
 * that changes them bumps before it answers. A consumer batch asks for the version (one Durable
 * Object call, no D1) and reads D1 only when it moved, so a sync followed at once by an event
 * routes that event with the new functions.
 * @module
 */
import { REGISTRY_MAX_AGE_MS, REGISTRY_OBJECT_NAME } from "../constants";
import type { Env } from "../env";
import { listFunctions, type StoredFunction } from "./store";
import { RegistryCache } from "./registry-cache";

/** One per isolate: consumer batches in the same isolate share it. */
const cache = new RegistryCache(REGISTRY_MAX_AGE_MS);

/** The registry's Durable Object. */
function registry(env: Pick<Env, "REGISTRY">) {
  return env.REGISTRY.getByName(REGISTRY_OBJECT_NAME);
}

/**
 * Every synced function, as of now. Should the registry object be unreachable, D1 is read
 * directly (uncached): slower, never stale.
 */
export async function currentFunctions(env: Pick<Env, "DB" | "REGISTRY">): Promise<StoredFunction[]> {
  return (await routingView(env, [], Date.now())).functions;
}

/** What a consumer batch routes with (src/routing/consume-events.ts). */
export interface RoutingView {
  functions: StoredFunction[];
  /** Event names no run waits for: their events skip the wait-index lookup. */
  quiet: ReadonlySet<string>;
}

/**
 * Every synced function, as `currentFunctions` reads it, and which of `names` no run waits for
 * at `now`, from the same registry call. Should the registry be unreachable, D1 is read directly
 * and every name is looked up.
 */
export async function routingView(env: Pick<Env, "DB" | "REGISTRY">, names: string[], now: number): Promise<RoutingView> {
  let state: { version: string; quiet: string[] };
  try {
    state = await registry(env).routingState(names, now);
  } catch (err) {
    console.warn("stepflare: the function registry could not be read; reading functions from D1", err);
    return { functions: await listFunctions(env.DB), quiet: new Set() };
  }
  const functions = await cache.functions({ version: async () => state.version, list: () => listFunctions(env.DB) }, Date.now());
  return { functions, quiet: new Set(state.quiet) };
}

/** Tells every consumer that the synced functions changed; call after the D1 write committed. */
export async function publishFunctionsChanged(env: Pick<Env, "REGISTRY">): Promise<void> {
  await registry(env).bump();
}

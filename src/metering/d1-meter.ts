/**
 * A D1 meter for the bench: counts the statements the Worker and its Durable Objects send to D1,
 * by the path of the work that sent them (ingest request, routing, run start, step, ...). Off
 * unless `STEPFLARE_COUNT_D1=true`, and never on in production mode. Counts live in isolate
 * memory: under `wrangler dev` the Worker and its Durable Objects share one isolate, so one
 * route (src/metering/routes.ts) sees them all.
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Env } from "../env";
import { isProduction } from "../mode";

/** Statements and round trips (a batch is one) sent on one path. */
export interface D1Tally {
  statements: number;
  queries: number;
}

/** The path named when work that reached D1 ran outside any metered entry point. */
export const UNMETERED_PATH = "other";

const current = new AsyncLocalStorage<string>();
const tallies = new Map<string, D1Tally>();
let installed = false;

/** True when the meter is switched on: `STEPFLARE_COUNT_D1=true`, and not production mode. */
export function meteringEnabled(env: Pick<Env, "STEPFLARE_COUNT_D1" | "INNGEST_SIGNING_KEY">): boolean {
  return env.STEPFLARE_COUNT_D1 === "true" && !isProduction(env);
}

/** Runs `fn` with D1 statements it sends (and the work it awaits) counted under `path`. */
export function onPath<T>(path: string, fn: () => T): T {
  return current.run(path, fn);
}

/**
 * Counts every statement sent through a D1 binding of this isolate: the methods that reach D1
 * are wrapped on the prototypes the binding shares, so bindings handed to Durable Objects are
 * counted too. Installed once; the wrappers only count and call through.
 */
export function installD1Meter(db: D1Database): void {
  if (installed) return;
  installed = true;
  const database = Object.getPrototypeOf(db) as Record<string, unknown>;
  wrap(database, "batch", (args) => (Array.isArray(args[0]) ? args[0].length : 1));
  wrap(database, "exec", () => 1);
  const statement = Object.getPrototypeOf(db.prepare("SELECT 1")) as Record<string, unknown>;
  for (const name of ["first", "run", "all", "raw"]) wrap(statement, name, () => 1);
}

/**
 * Counts the D1 work of each method of a Durable Object class under the path `paths` names for
 * it, or `fallback`: a Durable Object's calls arrive as their own invocations, outside the
 * caller's path.
 */
export function meterMethods(proto: object, paths: Record<string, string>, fallback: string): void {
  const target = proto as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    // Read through the descriptor: a getter on the prototype must not run here.
    const original: unknown = Object.getOwnPropertyDescriptor(proto, name)?.value;
    if (name === "constructor" || typeof original !== "function") continue;
    const path = paths[name] ?? fallback;
    target[name] = function (this: unknown, ...args: unknown[]) {
      return onPath(path, () => (original as (...a: unknown[]) => unknown).apply(this, args));
    };
  }
}

/** The counts so far, by path. */
export function d1Counts(): Record<string, D1Tally> {
  return Object.fromEntries([...tallies].map(([path, tally]) => [path, { ...tally }]));
}

/** Starts counting again from zero. */
export function resetD1Counts(): void {
  tallies.clear();
}

function wrap(proto: Record<string, unknown>, name: string, statementsOf: (args: unknown[]) => number): void {
  const original = proto[name] as (...a: unknown[]) => unknown;
  proto[name] = function (this: unknown, ...args: unknown[]) {
    const path = current.getStore() ?? UNMETERED_PATH;
    const tally = tallies.get(path) ?? { statements: 0, queries: 0 };
    tally.statements += statementsOf(args);
    tally.queries += 1;
    tallies.set(path, tally);
    return original.apply(this, args);
  };
}

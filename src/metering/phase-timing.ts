/**
 * Phase timing for the bench: where the milliseconds of a hot path go (routing and middleware,
 * body read, validation, the RPC to a Durable Object, the SQLite transaction, making it durable,
 * the queue hop, the call to the app). Off unless `STEPFLARE_TIME_PHASES=true`, and never on in
 * production mode; off, a timed path does one property read and gets no clock. Samples live in
 * isolate memory: in the dev server the Worker and its Durable Objects share one isolate, so
 * `GET /_bench/phases` (src/metering/routes.ts) sees them all.
 * @module
 */
import { PHASE_SAMPLES_KEPT } from "../constants";
import type { Env } from "../env";
import { isProduction } from "../mode";

/** A phase's samples summarised, in milliseconds. */
export interface PhaseSummary {
  n: number;
  mean: number;
  p50: number;
  p95: number;
}

const samples = new Map<string, number[]>();
/** When each request entered the Worker, for the phases of the route that answers it. */
const entered = new WeakMap<Request, number>();

/** True when phase timing is switched on: `STEPFLARE_TIME_PHASES=true`, and not production mode. */
export function timingEnabled(env: Pick<Env, "STEPFLARE_TIME_PHASES" | "INNGEST_SIGNING_KEY">): boolean {
  return env.STEPFLARE_TIME_PHASES === "true" && !isProduction(env);
}

/** Records one sample of `phase`; the oldest half is dropped once PHASE_SAMPLES_KEPT are held. */
export function recordPhase(phase: string, ms: number): void {
  let list = samples.get(phase);
  if (!list) samples.set(phase, (list = []));
  if (list.length >= PHASE_SAMPLES_KEPT) list.splice(0, PHASE_SAMPLES_KEPT / 2);
  list.push(ms);
}

/** Times consecutive phases of one piece of work: each `lap` records the time since the last. */
export class PhaseClock {
  readonly #prefix: string;
  readonly #start: number;
  #last: number;

  constructor(prefix: string, start = performance.now()) {
    this.#prefix = prefix;
    this.#start = start;
    this.#last = start;
  }

  /** Records the time since the previous lap (or the start) as `<prefix>.<phase>`. */
  lap(phase: string): void {
    const now = performance.now();
    recordPhase(`${this.#prefix}.${phase}`, now - this.#last);
    this.#last = now;
  }

  /** Records the time since the start as `<prefix>.<phase>` (a total). */
  total(phase = "total"): void {
    recordPhase(`${this.#prefix}.${phase}`, performance.now() - this.#start);
  }
}

/** A clock for `prefix` when timing is on, else null (callers write `clock?.lap(...)`). */
export function phaseClock(env: Pick<Env, "STEPFLARE_TIME_PHASES" | "INNGEST_SIGNING_KEY">, prefix: string): PhaseClock | null {
  return timingEnabled(env) ? new PhaseClock(prefix) : null;
}

/** Runs `work`, recording how long it took as `phase` when timing is on. */
export async function timePhase<T>(env: Pick<Env, "STEPFLARE_TIME_PHASES" | "INNGEST_SIGNING_KEY">, phase: string, work: () => Promise<T>): Promise<T> {
  if (!timingEnabled(env)) return work();
  const start = performance.now();
  try {
    return await work();
  } finally {
    recordPhase(phase, performance.now() - start);
  }
}

/** Notes when `request` entered the Worker (called by the metered fetch handler, timing on). */
export function noteEntered(request: Request): void {
  entered.set(request, performance.now());
}

/**
 * A clock for a route's phases that starts when its request entered the Worker, so the first lap
 * is the routing and middleware in front of the route; null when timing is off.
 */
export function requestClock(env: Pick<Env, "STEPFLARE_TIME_PHASES" | "INNGEST_SIGNING_KEY">, request: Request, prefix: string): PhaseClock | null {
  if (!timingEnabled(env)) return null;
  return new PhaseClock(prefix, entered.get(request) ?? performance.now());
}

/** Every phase's samples summarised, by phase name, in the order each was first recorded (the order work happens). */
export function phaseSummaries(): Record<string, PhaseSummary> {
  const out: Record<string, PhaseSummary> = {};
  for (const [phase, list] of samples) {
    const sorted = [...list].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
    out[phase] = { n: sorted.length, mean: round(mean), p50: round(at(0.5)), p95: round(at(0.95)) };
  }
  return out;
}

/** Starts collecting again from nothing. */
export function resetPhases(): void {
  samples.clear();
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

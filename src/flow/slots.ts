import { CONCURRENCY_LEASE_MS } from "../constants";
import type { Env } from "../env";
import type { ConcurrencyConstraint } from "./concurrency";

/** How a run asks for, keeps and frees concurrency slots for its calls. */
export interface SlotClient {
  /** True when every constraint granted a slot to `target`; otherwise the run is queued and told later. */
  acquire(target: string): Promise<boolean>;
  release(target: string): Promise<void>;
  /** Extends the slots `targets` hold: one call per constraint, whatever the number of targets. */
  renew(targets: string[]): Promise<void>;
}

/**
 * Concurrency slots from the run's FlowObjects. Constraints are taken in a fixed order (by
 * name), so two runs needing the same two limits cannot each hold one and wait for the other.
 */
export function flowSlots(env: Env, run: () => { id: string; constraints: ConcurrencyConstraint[]; priority: number }): SlotClient {
  const constraints = () => run().constraints;
  const priority = () => run().priority;
  const ordered = () => [...constraints()].sort((a, b) => a.flow.localeCompare(b.flow));
  const holder = (target: string) => `${run().id}/${target}`;
  return {
    async acquire(target) {
      for (const c of ordered()) {
        const args = { holder: holder(target), limit: c.limit, leaseMs: CONCURRENCY_LEASE_MS, priority: priority() };
        if (!(await env.FLOWS.getByName(c.flow).acquire(args))) return false;
      }
      return true;
    },
    async release(target) {
      await Promise.all(ordered().map((c) => env.FLOWS.getByName(c.flow).release(holder(target), c.limit)));
    },
    async renew(targets) {
      if (targets.length === 0) return;
      const holders = targets.map(holder);
      await Promise.all(ordered().map((c) => env.FLOWS.getByName(c.flow).renew(holders, CONCURRENCY_LEASE_MS)));
    },
  };
}

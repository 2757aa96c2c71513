import { initialBatch, type BatchState } from "../flow/batch";
import { initialDebounce, type DebounceState } from "../flow/debounce";
import { initialGcra, type GcraState } from "../flow/gcra";
import { initialLeases, type LeaseState } from "../flow/leases";
import { initialSingleton, type SingletonState } from "../flow/singleton";

/** Every piece of state a FlowObject may hold, by kind. */
export interface FlowStates {
  throttle: GcraState;
  ratelimit: GcraState;
  leases: LeaseState;
  debounce: DebounceState;
  batch: BatchState;
  singleton: SingletonState;
}

/** The state of each kind before anything happened. */
export const flowStateDefaults: { [K in keyof FlowStates]: () => FlowStates[K] } = {
  throttle: initialGcra,
  ratelimit: initialGcra,
  leases: initialLeases,
  debounce: initialDebounce,
  batch: initialBatch,
  singleton: initialSingleton,
};

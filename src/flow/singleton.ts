/**
 * The singleton slot for one key: at most one active run, the rest skipped or the holder
 * cancelled in its favour.
 * @module
 */

/** The run holding the key, or null when free. */
export type SingletonState = { holder: string | null };

/** What a new run does when the key is held: `skip` itself, or `cancel` the holder. */
export type SingletonMode = "skip" | "cancel";

/** A free key. */
export function initialSingleton(): SingletonState {
  return { holder: null };
}

/**
 * Claims the key for `runId`. Free, or already held by `runId` (a retried claim): start. Held
 * by another run: in `skip` mode the new run is skipped; in `cancel` mode it takes the key and
 * `cancel` names the previous holder to cancel. Invariant: at most one holder at a time.
 */
export function singletonClaim(
  state: SingletonState,
  runId: string,
  mode: SingletonMode,
): { state: SingletonState; outcome: "start" | "skip"; cancel: string | null } {
  if (state.holder === null || state.holder === runId) return { state: { holder: runId }, outcome: "start", cancel: null };
  if (mode === "skip") return { state, outcome: "skip", cancel: null };
  return { state: { holder: runId }, outcome: "start", cancel: state.holder };
}

/** Frees the key if `runId` holds it; a run that lost the key to a newer one frees nothing. */
export function singletonRelease(state: SingletonState, runId: string): SingletonState {
  return state.holder === runId ? { holder: null } : state;
}

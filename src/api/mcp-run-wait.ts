/**
 * The wait of the older MCP tools (`poll_run_status`, `invoke_function_sync`) for runs to end.
 * Each look reads only the runs' stored statuses, all of them in one D1 query; the tools read
 * traces and outputs once, for their answer. The looks are bounded so a call stays within the
 * platform's subrequests per request: the pause between them backs off up to MCP_RUN_POLL_MAX_MS,
 * and after MCP_RUN_POLLS_MAX looks the wait ends as at its timeout.
 * @module
 */
import { MCP_RUN_POLL_MAX_MS, MCP_RUN_POLLS_MAX } from "../constants";
import { runStatusesOf, type RunStatus } from "../history/runs";

/** The time a wait reads and sleeps by; tests pass one that moves without waiting. */
export interface WaitClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The Worker's own clock. */
export const systemClock: WaitClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A run as a look sees it. */
export interface RunState {
  id: string;
  status: RunStatus;
}

/** Whether a stored run status is one a run ends in. */
export const hasEnded = (status: RunStatus): boolean => status === "completed" || status === "failed" || status === "cancelled";

/** What a wait is for, and how long it may last. */
export interface RunWait {
  runIds: readonly string[];
  /** When the wait gives up (ms, on the wait's clock). */
  deadline: number;
  /** The first pause between looks; it doubles up to MCP_RUN_POLL_MAX_MS, or stays if longer. */
  firstPause: number;
  /** Whether the runs found at a look are what the wait is for. */
  done: (found: RunState[]) => boolean;
}

/**
 * Looks at the runs until `done` holds of them, or the next pause would pass the deadline, or
 * MCP_RUN_POLLS_MAX looks have been made. Answers the runs found at the last look and whether
 * the wait stopped short of `done`.
 */
export async function waitForRuns(db: D1Database, wait: RunWait, clock: WaitClock): Promise<{ found: RunState[]; timedOut: boolean }> {
  const longest = Math.max(wait.firstPause, MCP_RUN_POLL_MAX_MS);
  for (let look = 1, pause = wait.firstPause; ; look++, pause = Math.min(pause * 2, longest)) {
    const found = await runStatusesOf(db, wait.runIds);
    if (wait.done(found)) return { found, timedOut: false };
    if (look >= MCP_RUN_POLLS_MAX || clock.now() + pause > wait.deadline) return { found, timedOut: true };
    await clock.sleep(pause);
  }
}

import { createHash } from "node:crypto";
import { Middleware } from "inngest";

/** The id the SDK gives a step whose id is used once in a run: the SHA-1 of that id, in hex. */
export function hashedStepId(id: string): string {
  return createHash("sha1").update(id).digest("hex");
}

/**
 * What an app saw of its steps, on its own clock: when each step's code started running, and
 * the earliest moment it had proof that the server had stored the step's memo. The proof is
 * either the server's 2xx to the SDK's checkpoint of the step (the server stores a checkpoint
 * before answering) or a call request that carried the memo back to the app. A step whose code
 * starts after that moment was run again although the server already had its result.
 */
export class StepLedger {
  /** runId → step id → start times of the step's executions, in order. */
  readonly #executions = new Map<string, Map<string, number[]>>();
  /** runId → hashed step id → earliest proof that its memo was stored. */
  readonly #storedBy = new Map<string, Map<string, number>>();
  #acks = 0;
  #replays = 0;

  /** Records that the code of step `stepId` of run `runId` starts now. */
  executed(runId: string, stepId: string, at = Date.now()): void {
    const steps = this.#executions.get(runId) ?? new Map<string, number[]>();
    this.#executions.set(runId, steps);
    steps.set(stepId, [...(steps.get(stepId) ?? []), at]);
  }

  /** Start times of every execution of `stepId` in `runId`. */
  executions(runId: string, stepId: string): number[] {
    return this.#executions.get(runId)?.get(stepId) ?? [];
  }

  /** The ids of the runs that ran any step. */
  runs(): string[] {
    return [...this.#executions.keys()];
  }

  /** The earliest proof that the memo of `stepId` (unhashed) of `runId` was stored, if any. */
  storedBy(runId: string, stepId: string): number | undefined {
    return this.#storedBy.get(runId)?.get(hashedStepId(stepId));
  }

  /** How many proofs came from checkpoint answers and from replayed memos. */
  proofCounts(): { acks: number; replays: number } {
    return { acks: this.#acks, replays: this.#replays };
  }

  #proved(runId: string, hashedIds: string[], at: number): void {
    const steps = this.#storedBy.get(runId) ?? new Map<string, number>();
    this.#storedBy.set(runId, steps);
    for (const id of hashedIds) if (!steps.has(id)) steps.set(id, at);
  }

  /** Client middleware recording the memos each call request brings. */
  middleware(): Middleware.Class {
    const ledger = this;
    return class MemoWitness extends Middleware.BaseMiddleware {
      readonly id = "stepflare-memo-witness";
      override transformFunctionInput(arg: Middleware.TransformFunctionInputArgs): Middleware.TransformFunctionInputArgs {
        const memos = Object.entries(arg.steps).filter(([, memo]) => memo.type === "data" || memo.type === "error");
        if (memos.length > 0) ledger.#replays++;
        ledger.#proved(
          arg.ctx.runId,
          memos.map(([id]) => id),
          Date.now(),
        );
        return arg;
      }
    };
  }

  /** A `fetch` for the client that records the steps of every checkpoint the server accepted. */
  fetch(): typeof fetch {
    return async (input, init) => {
      const res = await fetch(input, init);
      const url = new URL(input instanceof Request ? input.url : String(input));
      const runId = /^\/v1\/checkpoint\/([^/]+)\/async$/.exec(url.pathname)?.[1];
      if (runId !== undefined && res.ok && typeof init?.body === "string") {
        const body = JSON.parse(init.body) as { steps?: { id: string; op: string }[] };
        const stored = (body.steps ?? []).filter((s) => s.op === "StepRun" || s.op === "StepFailed").map((s) => s.id);
        if (stored.length > 0) this.#acks++;
        this.#proved(decodeURIComponent(runId), stored, Date.now());
      }
      return res;
    };
  }
}

import { DurableObject } from "cloudflare:workers";
import { ALARM_ERROR_RETRY_MS } from "../src/constants";
import type { Env } from "../src/env";
import { RunDriver } from "../src/runner/driver";
import { flushHistory } from "../src/runner/history-flush";
import { runStartSchema, type RunStart } from "../src/runner/run-start";
import { RunStore, type RunRow } from "../src/runner/run-store";
import { httpTransport } from "../src/runner/transport";

/**
 * One run: its state in SQLite and its timers on the alarm. A thin shell over `RunStore`
 * (state and transitions) and `RunDriver` (calls to the app).
 */
export class RunObject extends DurableObject<Env> {
  readonly #store: RunStore;
  readonly #driver: RunDriver;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new RunStore(ctx.storage);
    this.#driver = new RunDriver({
      store: this.#store,
      transport: httpTransport(env.INNGEST_SIGNING_KEY),
      flush: () => flushHistory(env.DB, this.#store, Date.now()),
    });
  }

  /** Starts the run; calling it again for the same run changes nothing. */
  async start(input: RunStart): Promise<{ created: boolean }> {
    const created = this.#store.init(runStartSchema.parse(input));
    if (created) await this.#store.rearm();
    return { created };
  }

  /** The run row, for tests and diagnostics. */
  async status(): Promise<RunRow | null> {
    return this.#store.run();
  }

  override async alarm(): Promise<void> {
    try {
      await this.#driver.wake();
    } catch (err) {
      // The platform retries a throwing alarm only a few times; keep the run alive ourselves.
      console.error(`stepflare: run ${this.#store.run()?.id ?? "?"} failed to make progress; retrying`, err);
      await this.ctx.storage.setAlarm(Date.now() + ALARM_ERROR_RETRY_MS);
    }
  }
}

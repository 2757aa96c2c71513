/**
 * Durability under crashes: the dev server is SIGKILLed at random moments while dozens of runs of
 * a five-step function with sleeps are under way, and restarted on the same state each time.
 * Every run must complete, and no step may run again once the server had stored its result; a
 * step may only run again when a kill fell between its previous start and the new one.
 *
 * The randomness (kill times, step durations) comes from one seed, printed when the test fails;
 * `STEPFLARE_CHAOS_SEED=<seed>` replays it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devClient, serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { between, seededRandom, seedFrom } from "./harness/random";
import { runsOf, sendEvents, syncApp, type ApiRun } from "./harness/server-api";
import { hashedStepId, StepLedger } from "./harness/step-ledger";
import { waitFor } from "./harness/wait";

const SEED = seedFrom("STEPFLARE_CHAOS_SEED");
const STEPS = ["s1", "s2", "s3", "s4", "s5"] as const;
const SLEEPS = ["nap1", "nap2"] as const;
/** Kill-and-restart cycles; each first sends a wave of events. */
const CYCLES = 6;
const RUNS_PER_CYCLE = 10;
/**
 * How long the server stays up after a wave is sent before it is killed, in ms: always less than
 * the function's 3 s of sleeps, so every wave is still in progress at its kill.
 */
const UPTIME_MS = [1_000, 2_900] as const;

/** One stretch of time the server was down: the kill signal went out at `killAt`, the process was gone by `diedAt`. */
interface Outage {
  killAt: number;
  diedAt: number;
  upAt: number;
}

let server: DevServer;
let app: TestApp;
const ledger = new StepLedger();
const random = seededRandom(SEED);

beforeAll(async () => {
  server = await startDevServer();
  const inngest = devClient("e2e-chaos", server.url, { middleware: [ledger.middleware()], fetch: ledger.fetch() });
  const chaos = inngest.createFunction({ id: "chaos", triggers: { event: "test/chaos" } }, async ({ event, step, runId }) => {
    const { i, work } = event.data as { i: number; work: number[] };
    /** A step whose side effect is recorded, then takes a while, so kills land inside steps too. */
    const effect = (index: number) =>
      step.run(STEPS[index]!, async () => {
        ledger.executed(runId, STEPS[index]!);
        await new Promise((r) => setTimeout(r, work[index]));
        return `${STEPS[index]}@${i}`;
      });
    const results = [await effect(0), await effect(1)];
    await step.sleep(SLEEPS[0], "1s");
    results.push(await effect(2));
    await step.sleep(SLEEPS[1], "2s");
    results.push(await effect(3), await effect(4));
    return results;
  });
  app = await serveApp(inngest, [chaos]);
  await syncApp(server.url, app.url);
});

afterAll(async () => {
  await app?.close();
  await server?.dispose();
});

/**
 * Work in progress at a kill: runs of the events sent so far that have no proof yet that their
 * last step was stored (including runs that have not started), and of those, the runs midway.
 */
function inProgress(sent: number): { pending: number; midway: number } {
  const finished = ledger.runs().filter((runId) => ledger.storedBy(runId, STEPS[4]) !== undefined).length;
  return { pending: sent - finished, midway: ledger.runs().length - finished };
}

/** The ended run of each event, waiting (bounded) until all have ended. */
async function endedRuns(eventIds: string[], timeoutMs: number): Promise<Map<string, ApiRun>> {
  const ended = new Map<string, ApiRun>();
  await waitFor(
    async () => {
      for (const id of eventIds.filter((e) => !ended.has(e))) {
        const runs = await runsOf(server.url, id);
        if (runs.length > 1) throw new Error(`event ${id} started ${runs.length} runs`);
        if (runs[0] && runs[0].status !== "Running") ended.set(id, runs[0]);
      }
      return ended.size === eventIds.length ? true : undefined;
    },
    timeoutMs,
    `all ${eventIds.length} runs to end (${eventIds.length - ended.size} still running)`,
  );
  return ended;
}

/** Whether an outage fell after `before` started and before `after` started. */
function killBetween(outages: Outage[], before: number, after: number): boolean {
  return outages.some((o) => before < o.diedAt && o.killAt < after);
}

describe("durability under repeated SIGKILLs of the dev server", () => {
  it("completes every run, never re-running a step whose result was stored", async () => {
    try {
      const outages: Outage[] = [];
      const eventIds: string[] = [];
      const atKill: { pending: number; midway: number }[] = [];
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const wave = Array.from({ length: RUNS_PER_CYCLE }, (_, k) => ({
          name: "test/chaos",
          data: { i: cycle * RUNS_PER_CYCLE + k, work: STEPS.map(() => between(random, 0, 600)) },
        }));
        eventIds.push(...(await sendEvents(server.url, wave)));
        const uptime = between(random, ...UPTIME_MS);
        await new Promise((r) => setTimeout(r, uptime));
        atKill.push(inProgress(eventIds.length));
        const killAt = Date.now();
        await server.stop();
        const diedAt = Date.now();
        await server.start();
        outages.push({ killAt, diedAt, upAt: Date.now() });
      }

      const ended = await endedRuns(eventIds, 150_000);
      const runs = [...ended.values()];
      expect(
        runs.filter((r) => r.status !== "Completed"),
        "runs that did not complete",
      ).toEqual([]);
      // Every kill interrupted work in progress, and kills caught runs midway, so the test
      // cannot pass without crashes in the middle of runs.
      expect(
        atKill.every((k) => k.pending > 0),
        `work in progress at each kill: ${JSON.stringify(atKill)}`,
      ).toBe(true);
      expect(
        atKill.reduce((n, k) => n + k.midway, 0),
        `runs midway at the kills: ${JSON.stringify(atKill)}`,
      ).toBeGreaterThan(0);

      let reruns = 0;
      for (const [eventId, run] of ended) {
        const i = eventIds.indexOf(eventId);
        expect(run.output).toEqual(STEPS.map((s) => `${s}@${i}`));
        for (const step of STEPS) {
          const starts = ledger.executions(run.run_id, step);
          const storedBy = ledger.storedBy(run.run_id, step);
          const where = `run ${run.run_id} step ${step}: executions ${JSON.stringify(starts)}, stored by ${storedBy}, outages ${JSON.stringify(outages)}`;
          expect(starts.length, where).toBeGreaterThanOrEqual(1);
          expect(storedBy, where).toBeDefined();
          expect(
            starts.filter((at) => at > storedBy!),
            `${where}: ran after its memo was stored`,
          ).toEqual([]);
          for (let k = 1; k < starts.length; k++) {
            expect(killBetween(outages, starts[k - 1]!, starts[k]!), `${where}: ran again without a crash in between`).toBe(true);
          }
          reruns += starts.length - 1;
        }
        // The hashed ids the ledger's proofs are keyed by are the ids the server stored. History
        // reaches D1 behind the run (a copy lost in a kill is sent again), so it is waited for.
        const wanted = [...STEPS, ...SLEEPS].map(hashedStepId);
        const stored = await waitFor(
          async () => {
            const steps = await stepsOf(run.run_id);
            const done = steps.filter((step) => step.status === "completed").map((step) => step.step_id);
            return wanted.every((id) => done.includes(id)) ? steps : undefined;
          },
          60_000,
          `every step of ${run.run_id} in history`,
        );
        expect(
          stored.every((step) => step.status === "completed"),
          `steps of ${run.run_id}: ${JSON.stringify(stored)}`,
        ).toBe(true);
        expect(stored.map((step) => step.step_id)).toEqual(expect.arrayContaining(wanted));
      }
      const { acks, replays } = ledger.proofCounts();
      console.info(
        `chaos seed ${SEED}: ${runs.length} runs, ${outages.length} kills, ${reruns} step re-executions after a kill, ` +
          `${acks} checkpoint acks, ${replays} replays, runs midway at each kill ${atKill.map((k) => k.midway).join("/")}, restarts took ${outages.map((o) => o.upAt - o.diedAt).join("/")} ms`,
      );
    } catch (err) {
      if (err instanceof Error) err.message = `[STEPFLARE_CHAOS_SEED=${SEED}] ${err.message}\n${server.output().slice(-4_000)}`;
      throw err;
    }
  }, 360_000);
});

/** The hashed ids of a run's steps in its timeline (`GET /v0/runs/:id`). */
/** The run's steps as its history lists them (status and hashed id). */
async function stepsOf(runId: string): Promise<{ step_id: string; status: string }[]> {
  const res = await fetch(`${server.url}/v0/runs/${runId}`);
  return ((await res.json()) as { data: { steps: { step_id: string; status: string }[] } }).data.steps;
}

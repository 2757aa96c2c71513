/**
 * What the dev server keeps out of its console (scripts/dev): the line of each batch of
 * stepflare's own queues handled in full, on both paths, and the Cron Trigger's line for each tick
 * that succeeded; a failing batch or tick is still printed, and `--verbose` prints them all. The
 * e2e files check the queues on a real server (dev-server.test.ts) and, with `--verbose`, that the
 * minute tick fires (cron.test.ts).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { startCronTriggers } from "../../scripts/dev/cron.mjs";
import { parseDevArgs } from "../../scripts/dev/args.mjs";
import { isQueueBatchDone, quietLines } from "../../scripts/dev/quiet.mjs";

afterEach(() => {
  vi.useRealTimers();
});

describe("queue batch lines", () => {
  it("are recognised, coloured or not, only when every message of the batch was acknowledged", () => {
    expect(isQueueBatchDone("QUEUE stepflare-events 1/1 (26ms)")).toBe(true);
    expect(isQueueBatchDone("\x1b[1mQUEUE\x1b[22m stepflare-history \x1b[32m13/13\x1b[39m\x1b[90m (4ms)\x1b[39m")).toBe(true);
    expect(isQueueBatchDone("QUEUE stepflare-events 2/3 (26ms)")).toBe(false);
    expect(isQueueBatchDone("QUEUE stepflare-events 1/10 (26ms)")).toBe(false);
    expect(isQueueBatchDone("GET /runs 200 OK (3ms)")).toBe(false);
  });

  it("are kept out of wrangler dev's output, while a batch with retries and other lines pass", () => {
    let out = "";
    const write = quietLines((text) => (out += text));
    write("[wrangler:info] QUEUE stepflare-events 1/1 (26ms)\n[wrangler:info] QUEUE stepflare-history 2/3");
    write(" (5ms)\n[wrangler:info] GET /runs 200 OK (3ms)\n[wrangler:info] GET /v0/runs 200 OK (1ms)\n");
    expect(out).toBe("[wrangler:info] QUEUE stepflare-history 2/3 (5ms)\n[wrangler:info] GET /runs 200 OK (3ms)\n");
  });

  it("are kept with --verbose, while the polling lines still go", () => {
    let out = "";
    const write = quietLines((text) => (out += text), { queueBatches: true });
    write("[wrangler:info] QUEUE stepflare-events 1/1 (26ms)\n[wrangler:info] GET /v0/runs 200 OK (1ms)\n");
    expect(out).toBe("[wrangler:info] QUEUE stepflare-events 1/1 (26ms)\n");
    expect(parseDevArgs(["-v"]).verbose).toBe(true);
    expect(parseDevArgs(["--verbose"]).verbose).toBe(true);
    expect(parseDevArgs([]).verbose).toBe(false);
  });
});

describe("the Cron Trigger timer", () => {
  it("fires at each minute boundary and logs only the ticks that did not succeed", async () => {
    vi.useFakeTimers({ now: Date.parse("2026-01-01T00:00:30.000Z") });
    const answers: (() => Response)[] = [
      () => Response.json({ outcome: "ok" }),
      () => Response.json({ outcome: "exception" }),
      () => {
        throw new Error("connection refused");
      },
      () => Response.json({ outcome: "ok" }),
    ];
    const paths: string[] = [];
    const lines: string[] = [];
    startCronTriggers(
      ["* * * * *"],
      async (path: string) => {
        paths.push(path);
        return answers.shift()!();
      },
      (line: string) => lines.push(line),
    );
    await vi.advanceTimersByTimeAsync(30_000 + 3 * 60_000);
    expect(paths).toHaveLength(4);
    expect(new URL(paths[0]!, "http://x").searchParams.get("time")).toBe(String(Date.parse("2026-01-01T00:01:00.000Z")));
    expect(lines).toEqual([
      'Cron Trigger "* * * * *" at 2026-01-01T00:02:00.000Z: exception',
      'Cron Trigger "* * * * *" at 2026-01-01T00:03:00.000Z: could not run (connection refused)',
    ]);
  });

  it("logs every tick with --verbose", async () => {
    vi.useFakeTimers({ now: Date.parse("2026-01-01T00:00:30.000Z") });
    const lines: string[] = [];
    startCronTriggers(
      ["* * * * *"],
      async () => Response.json({ outcome: "ok" }),
      (line: string) => lines.push(line),
      { everyTick: true },
    );
    await vi.advanceTimersByTimeAsync(30_000 + 60_000);
    expect(lines).toEqual(['Cron Trigger "* * * * *" at 2026-01-01T00:01:00.000Z: ok', 'Cron Trigger "* * * * *" at 2026-01-01T00:02:00.000Z: ok']);
  });
});

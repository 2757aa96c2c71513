/**
 * The D1 reads of one `poll_run_status` call, counted against FREE_SERVICE_SUBREQUESTS: the most
 * runs it follows, all still running, at the longest timeout and the shortest `pollInterval`. The
 * tools' wait goes by a clock the test moves, so two minutes pass without waiting; the reads are
 * real ones against D1, counted as the platform counts subrequests.
 */
import { env } from "cloudflare:workers";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerCompatTools } from "../../src/api/mcp-compat-tools";
import type { WaitClock } from "../../src/api/mcp-run-wait";
import {
  FREE_SERVICE_SUBREQUESTS,
  MCP_POLL_MAX_RUNS,
  MCP_RUN_ANSWER_READS_PER_RUN,
  MCP_RUN_POLL_MIN_MS,
  MCP_RUN_POLLS_MAX,
  MCP_RUN_WAIT_MAX_S,
} from "../../src/constants";
import { seedEvents, seedRuns } from "./helpers/history";
import { meterSubrequests, services } from "./helpers/subrequests";

const T0 = Date.UTC(2021, 2, 3);
let meter: ReturnType<typeof meterSubrequests>;
let runIds: string[];

beforeAll(async () => {
  const [event] = await seedEvents([{ name: "budget/start", receivedAt: T0 }]);
  runIds = Array.from({ length: MCP_POLL_MAX_RUNS }, (_, i) => ulid(T0 + 1 + i));
  await seedRuns(
    runIds.map((id, i) => ({
      id,
      functionId: "budget-fn",
      appId: "budget",
      eventId: event!.internalId,
      status: "running",
      queuedAt: T0 + 1 + i,
      startedAt: T0 + 2 + i,
    })),
  );
  meter = meterSubrequests();
});

afterAll(() => meter.restore());

/** A clock that moves by each pause at once (or stands still), recording the pauses. */
function testClock(moves: boolean): WaitClock & { pauses: number[] } {
  let now = T0;
  const pauses: number[] = [];
  return {
    pauses,
    now: () => now,
    sleep: async (ms) => {
      pauses.push(ms);
      if (moves) now += ms;
    },
  };
}

/** Calls poll_run_status for every seeded run through an MCP client, counting its subrequests. */
async function pollAll(clock: WaitClock) {
  const server = new McpServer({ name: "budget", version: "1.0.0" }, { capabilities: { tools: {} } });
  registerCompatTools(server, env, clock);
  const client = new Client({ name: "budget-test", version: "1.0.0" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  try {
    return await meter.measure(() =>
      client.callTool({ name: "poll_run_status", arguments: { runIds, timeout: MCP_RUN_WAIT_MAX_S, pollInterval: MCP_RUN_POLL_MIN_MS } }),
    );
  } finally {
    await client.close();
  }
}

const ANSWER_READS = MCP_RUN_ANSWER_READS_PER_RUN * MCP_POLL_MAX_RUNS;

describe("poll_run_status within the subrequest budget", () => {
  it("waits the longest timeout at the shortest interval with one D1 query per look, then reads the runs once", async () => {
    const clock = testClock(true);
    const { result, counts } = await pollAll(clock);
    expect(result.structuredContent).toEqual({
      runs: runIds.map((runId) => expect.objectContaining({ runId, status: "Running" })),
      completed: 0,
      running: MCP_POLL_MAX_RUNS,
      failed: 0,
      timedOut: true,
    });
    // The pause backs off from pollInterval and the wait lasts (nearly) the whole timeout.
    expect(clock.pauses.slice(0, 5)).toEqual([100, 200, 400, 800, 1_000]);
    const waited = clock.pauses.reduce((a, b) => a + b, 0);
    expect(waited).toBeLessThanOrEqual(MCP_RUN_WAIT_MAX_S * 1000);
    expect(waited).toBeGreaterThan(MCP_RUN_WAIT_MAX_S * 1000 - 1_000);
    const looks = clock.pauses.length + 1;
    expect(counts.d1).toBe(looks + ANSWER_READS);
    expect(counts.durableObject + counts.queue).toBe(0);
    expect(services(counts)).toBeLessThanOrEqual(FREE_SERVICE_SUBREQUESTS);
    console.log(`poll_run_status, ${MCP_POLL_MAX_RUNS} runs, ${MCP_RUN_WAIT_MAX_S} s at ${MCP_RUN_POLL_MIN_MS} ms: ${looks} looks, ${counts.d1} D1 queries`);
  });

  it("ends at MCP_RUN_POLLS_MAX looks as at its timeout, whatever the clock says", async () => {
    const clock = testClock(false);
    const { result, counts } = await pollAll(clock);
    expect(result.structuredContent).toMatchObject({ completed: 0, running: MCP_POLL_MAX_RUNS, failed: 0, timedOut: true });
    expect(clock.pauses).toHaveLength(MCP_RUN_POLLS_MAX - 1);
    expect(counts.d1).toBe(MCP_RUN_POLLS_MAX + ANSWER_READS);
    expect(services(counts)).toBeLessThanOrEqual(FREE_SERVICE_SUBREQUESTS);
  });
});

/**
 * Functions triggered by `inngest/function.finished` with no filter, through the real dev server
 * and the official SDK: two such functions, each returning a large output, start each other for
 * a bounded number of generations and then stop; no function starts itself; every end event and
 * the event pages stay small.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_EVENT_BYTES, MAX_FUNCTION_EVENT_DEPTH } from "../../src/constants";
import { devClient, serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { eventStatus, sendEvents, syncApp } from "./harness/server-api";
import { waitFor } from "./harness/wait";

let server: DevServer;
let app: TestApp;
/** Run ids each listener saw, and the function whose end started each run. */
const seen = { a: new Set<string>(), b: new Set<string>() };
const startedBy: string[] = [];
/** About 240 KB: each listener's output, under what an end event keeps on its own. */
const OUTPUT = "€".repeat(80_000);

beforeAll(async () => {
  server = await startDevServer();
  const inngest = devClient("e2e-chain", server.url);
  const first = inngest.createFunction({ id: "first", triggers: { event: "chain/go" } }, async () => OUTPUT);
  const listener = (key: "a" | "b") =>
    inngest.createFunction({ id: `listen-${key}`, triggers: { event: "inngest/function.finished" } }, async ({ event, runId }) => {
      seen[key].add(runId);
      startedBy.push(`${key}<-${(event.data as { function_id: string }).function_id}`);
      return OUTPUT;
    });
  app = await serveApp(inngest, [first, listener("a"), listener("b")]);
  await syncApp(server.url, app.url);
});

afterAll(async () => {
  await app?.close();
  await server?.dispose();
});

interface ListedEvent {
  id: string;
  name: string;
  data: { function_id: string; _inngest?: { depth?: number } };
}

async function finishedEvents(): Promise<{ events: ListedEvent[]; bytes: number }> {
  const res = await fetch(`${server.url}/v0/events?internal=1&name=inngest/function.finished&limit=100`);
  const text = await res.text();
  return { events: (JSON.parse(text) as { data: ListedEvent[] }).data, bytes: Buffer.byteLength(text) };
}

describe("functions triggered by inngest/function.finished with no filter", () => {
  it("start each other for a bounded number of generations, never themselves, and stop", async () => {
    await sendEvents(server.url, { name: "chain/go", data: { blob: "€".repeat(100_000) } });
    // Each generation is one run of each listener; the last generation's end events start nothing.
    const last = await waitFor(
      async () => {
        const { events } = await finishedEvents();
        const deepest = events.filter((e) => e.data._inngest?.depth === MAX_FUNCTION_EVENT_DEPTH + 1);
        return deepest.length === 2 ? deepest : undefined;
      },
      240_000,
      "the last generation's end events",
    );
    for (const event of last) await waitFor(async () => ((await eventStatus(server.url, event.id)) === "routed" ? true : undefined), 60_000, "routing");

    expect(seen.a.size).toBe(MAX_FUNCTION_EVENT_DEPTH);
    expect(seen.b.size).toBe(MAX_FUNCTION_EVENT_DEPTH);
    expect(startedBy.filter((s) => s === "a<-e2e-chain-listen-a" || s === "b<-e2e-chain-listen-b")).toEqual([]);

    const { events, bytes } = await finishedEvents();
    expect(events).toHaveLength(1 + 2 * MAX_FUNCTION_EVENT_DEPTH);
    for (const event of events) expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    expect(bytes).toBeLessThanOrEqual(events.length * MAX_EVENT_BYTES);
  }, 300_000);
});

/**
 * Signals end to end: the official v4 SDK in a Node app, the dev server in workerd. A signal sent
 * before the run waits finds no run (the SDK says `runId: undefined`); once the wait is
 * registered, `inngest.sendSignal` resumes it with its data and names the run; an unanswered
 * wait times out with null.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devClient, serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { runsOf, sendEvents, syncApp, waitForEndedRuns } from "./harness/server-api";
import { waitFor } from "./harness/wait";
import type { Inngest } from "inngest";

let server: DevServer;
let app: TestApp;
let inngest: Inngest;

beforeAll(async () => {
  server = await startDevServer();
  inngest = devClient("e2e-signals", server.url);
  const waiter = inngest.createFunction({ id: "approval", triggers: { event: "sig/approve" } }, async ({ event, step }) => {
    const got = await step.waitForSignal<{ ok: boolean }>("approved", {
      signal: event.data.signal as string,
      timeout: event.data.timeout as string,
      onConflict: "replace",
    });
    return got === null ? "timed out" : got;
  });
  app = await serveApp(inngest, [waiter]);
  await syncApp(server.url, app.url);
});

afterAll(async () => {
  await app?.close();
  await server?.dispose();
});

describe("signals", () => {
  it("finds no run before the wait registers, then resumes the waiting run and names it", async () => {
    const signal = `approve-${Date.now()}`;
    expect(await inngest.sendSignal({ signal, data: { ok: false } })).toEqual({ runId: undefined });
    const [id] = await sendEvents(server.url, { name: "sig/approve", data: { signal, timeout: "5m" } });
    const [waiting] = await waitFor(
      async () => {
        const runs = await runsOf(server.url, id!);
        return runs.length > 0 ? runs : undefined;
      },
      30_000,
      "the run to start",
    );
    // The wait registers after the run asks for it: send until a run takes the signal.
    const sent = await waitFor(async () => (await inngest.sendSignal({ signal, data: { ok: true } })).runId, 30_000, "a run to take the signal");
    expect(sent).toBe(waiting!.run_id);
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run!.status).toBe("Completed");
    expect(run!.output).toEqual({ signal, data: { ok: true } });
  });

  it("returns null when nobody signals before the timeout", async () => {
    const [id] = await sendEvents(server.url, { name: "sig/approve", data: { signal: `quiet-${Date.now()}`, timeout: "1s" } });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run!.output).toBe("timed out");
  });
});

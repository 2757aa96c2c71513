import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devClient, serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { sendEvents, syncApp, waitForEndedRuns } from "./harness/server-api";
import { waitFor } from "./harness/wait";

let server: DevServer;
let app: TestApp;
const effects: string[] = [];
/** Set when the last step of a `recorded` run has run. */
let recordedDone = false;
/** Holds the second step until the test has restarted the server. */
let releaseSecondStep: () => void = () => {};
const secondStepGate = new Promise<void>((r) => (releaseSecondStep = r));

beforeAll(async () => {
  server = await startDevServer();
  const inngest = devClient("e2e-restart", server.url);
  const survivor = inngest.createFunction({ id: "survivor", triggers: { event: "test/survivor" } }, async ({ step }) => {
    const first = await step.run("first", () => {
      effects.push("first");
      return 1;
    });
    const second = await step.run("second", async () => {
      effects.push("second");
      await secondStepGate;
      return first + 1;
    });
    const third = await step.run("third", () => {
      effects.push("third");
      return second + 1;
    });
    return [first, second, third];
  });
  const recorded = inngest.createFunction({ id: "recorded", triggers: { event: "test/recorded" } }, async ({ step }) => {
    const one = await step.run("one", () => 1);
    const two = await step.run("two", () => {
      recordedDone = true;
      return one + 1;
    });
    return two;
  });
  app = await serveApp(inngest, [survivor, recorded]);
  await syncApp(server.url, app.url);
});

afterAll(async () => {
  releaseSecondStep();
  await app?.close();
  await server?.dispose();
});

describe("durability across a dev server restart", () => {
  it("resumes a run after the server is killed mid-run, never re-running a finished step", async () => {
    const [id] = await sendEvents(server.url, { name: "test/survivor" });
    await waitFor(() => (effects.includes("second") ? true : undefined), 30_000, "the second step to start");

    await server.stop();
    releaseSecondStep();
    await server.start();

    const [run] = await waitForEndedRuns(server.url, id!, 1, 90_000);
    expect(run!.status).toBe("Completed");
    expect(run!.output).toEqual([1, 2, 3]);
    // The step that had finished before the kill never runs again; the one in flight may.
    expect(effects.filter((e) => e === "first")).toHaveLength(1);
    expect(effects.filter((e) => e === "third")).toHaveLength(1);
  });

  it("writes a run's whole history after the server is killed as the run ends, before its history reached D1", async () => {
    const [id] = await sendEvents(server.url, { name: "test/recorded" });
    await waitFor(() => (recordedDone ? true : undefined), 30_000, "the last step to run");
    // History waits up to a second in the local Queue (its batch timeout), which lives in memory:
    // killed now, the server loses what the run just sent. The run sends it again after a restart.
    await new Promise((r) => setTimeout(r, 100));
    await server.stop();
    await server.start();

    const [run] = await waitForEndedRuns(server.url, id!, 1, 90_000);
    expect(run).toMatchObject({ status: "Completed", output: 2 });
    const steps = await waitFor(
      async () => {
        const res = await fetch(`${server.url}/v0/runs/${run!.run_id}`);
        const body = (await res.json()) as { data: { steps: { name: string; status: string; output: unknown }[] } };
        return body.data.steps.length === 2 ? body.data.steps : undefined;
      },
      30_000,
      "both steps in the run's timeline",
    );
    expect(steps.map((s) => [s.name, s.status])).toEqual([
      ["one", "completed"],
      ["two", "completed"],
    ]);
  });
});

/**
 * Apps that misbehave: one answers 500s, one never answers, one closes the connection mid-request,
 * two answer garbage (a body that is not JSON, ops of the wrong shape). Each run is retried, then
 * fails with a recorded error and its `onFailure` handler runs; none hangs. The server runs with
 * `STEPFLARE_MAX_STEP_DURATION=3s`, the documented way to bound how long a call may run.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devClient, serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { sendEvents, syncApp, waitForEndedRuns } from "./harness/server-api";
import { waitFor } from "./harness/wait";

const APP_ID = "e2e-misbehave";
/** How the app answers calls to each function, in place of the SDK. */
const MISBEHAVIOURS: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  "answers-500": (_req, res) => {
    res.writeHead(500, { "content-type": "text/plain" });
    res.end("Internal Server Error");
  },
  hangs: () => {
    // Never answers: the request stays open until the server gives up on it.
  },
  "closes-connection": (req) => {
    req.socket.destroy();
  },
  "answers-non-json": (_req, res) => {
    res.writeHead(206, { "content-type": "application/json", "x-inngest-sdk": "js:v4.24.0" });
    res.end("<html>Bad gateway</html>");
  },
  "answers-wrong-shape": (_req, res) => {
    res.writeHead(206, { "content-type": "application/json", "x-inngest-sdk": "js:v4.24.0" });
    res.end(JSON.stringify({ hello: "world" }));
  },
};
/** What each function's run error must say. */
const EXPECTED_ERRORS: Record<string, RegExp> = {
  "answers-500": /HTTP 500: Internal Server Error/,
  hangs: /ran longer than 3 s/,
  "closes-connection": /could not reach/,
  "answers-non-json": /not JSON/,
  "answers-wrong-shape": /op 0 is invalid/,
};

let server: DevServer;
let app: TestApp;
/** Calls each misbehaving function received. */
const calls = new Map<string, number>();
/** What each onFailure handler was told: the failed run and its error. */
const failures: { functionId: string; runId: string; error: string }[] = [];

beforeAll(async () => {
  server = await startDevServer({ STEPFLARE_MAX_STEP_DURATION: "3s" });
  const inngest = devClient(APP_ID, server.url);
  const functions = Object.keys(MISBEHAVIOURS).map((id) =>
    inngest.createFunction(
      {
        id,
        retries: 1,
        triggers: { event: `test/${id}` },
        onFailure: ({ event, error }) => {
          failures.push({ functionId: event.data.function_id, runId: event.data.run_id, error: error.message });
        },
      },
      // The app never lets this run: every call to the function is answered by its misbehaviour.
      async () => "unreachable",
    ),
  );
  app = await serveApp(inngest, functions, {
    intercept: (req, res) => {
      if (req.method !== "POST") return false;
      const fnId = new URL(req.url ?? "/", "http://app").searchParams.get("fnId") ?? "";
      const id = fnId.slice(APP_ID.length + 1);
      const misbehave = MISBEHAVIOURS[id];
      if (!misbehave) return false;
      calls.set(id, (calls.get(id) ?? 0) + 1);
      misbehave(req, res);
      return true;
    },
  });
  await syncApp(server.url, app.url);
});

afterAll(async () => {
  app?.dropConnections();
  await app?.close();
  await server?.dispose();
});

describe("an app that misbehaves", () => {
  // First attempt, the backoff before the retry (15 s plus up to 30 s of jitter), second attempt:
  // on a loaded machine this can take minutes.
  it("gets each call retried, then the run fails cleanly and onFailure runs", { timeout: 300_000 }, async () => {
    const ids = Object.keys(MISBEHAVIOURS);
    const eventIds = await sendEvents(
      server.url,
      ids.map((id) => ({ name: `test/${id}` })),
    );
    const runs = await Promise.all(eventIds.map(async (eventId) => (await waitForEndedRuns(server.url, eventId, 1, 200_000))[0]!));

    for (const [k, id] of ids.entries()) {
      const run = runs[k]!;
      expect(run.function_id, id).toBe(`${APP_ID}-${id}`);
      expect(run.status, id).toBe("Failed");
      expect(run.error?.message, id).toMatch(EXPECTED_ERRORS[id]!);
      // Both attempts reached the app; a dropped connection also gets one fresh try per attempt.
      if (id === "closes-connection") expect(calls.get(id), id).toBeGreaterThanOrEqual(2);
      else expect(calls.get(id), id).toBe(2);
    }

    await waitFor(() => (failures.length >= ids.length ? true : undefined), 60_000, "every onFailure handler to run");
    // Give a duplicate handler run the chance to show up before counting.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(failures.map((f) => f.functionId).sort()).toEqual(ids.map((id) => `${APP_ID}-${id}`).sort());
    for (const [k, id] of ids.entries()) {
      const failure = failures.find((f) => f.functionId === `${APP_ID}-${id}`)!;
      expect(failure.runId, id).toBe(runs[k]!.run_id);
      expect(failure.error, id).toBe(runs[k]!.error?.message);
    }
  });
});

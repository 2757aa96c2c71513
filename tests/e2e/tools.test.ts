/**
 * The tools that talk to a dev server, against a real one: an MCP client from the official
 * `@modelcontextprotocol/sdk` lists `/mcp`'s tools and uses them to invoke a function, follow
 * its run to the end, read its trace with outputs and rerun it from a step, to cancel a sleeping
 * run, and to send an event; the SDK repository's
 * event-stream query then finds that event's run over `/v0/gql`. Inngest's older MCP tools
 * (get_run_status, poll_run_status, invoke_function_sync) follow the same runs, and the REST API v2
 * and GraphQL answers for them are checked field by field: SDK-driven runs, not seeded rows.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { V2_PAGE_DEFAULT } from "../../src/constants";
import { devClient, serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { syncApp } from "./harness/server-api";
import { waitFor } from "./harness/wait";

let server: DevServer;
let app: TestApp;
let mcp: Client;

const RFC3339 = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
const ULID = expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/);
/** A protobuf int64 as JSON: a string of digits. */
const INT64 = expect.stringMatching(/^\d+$/);
/** Every v2 answer's `metadata`. */
const METADATA = { fetchedAt: RFC3339 };

beforeAll(async () => {
  server = await startDevServer();
  const inngest = devClient("e2e-tools", server.url);
  const greet = inngest.createFunction({ id: "greet", triggers: { event: "tools/greet" } }, async ({ event, step }) => {
    const greeting = await step.run("hello", () => `hello ${String(event.data.name)}`);
    return { greeting };
  });
  const nap = inngest.createFunction({ id: "nap", triggers: { event: "tools/nap" } }, async ({ step }) => {
    await step.sleep("long-nap", "1h");
  });
  app = await serveApp(inngest, [greet, nap]);
  await syncApp(server.url, app.url);
  mcp = new Client({ name: "stepflare-e2e", version: "1.0.0" });
  await mcp.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
}, 120_000);

afterAll(async () => {
  await mcp?.close();
  await app?.close();
  await server?.dispose();
});

/** The JSON body of a REST API v2 GET. */
async function v2Get(path: string): Promise<unknown> {
  const res = await fetch(`${server.url}/api/v2${path}`);
  expect(res.status).toBe(200);
  return res.json();
}

/** A `/v0/gql` query's answer. */
async function gql(query: string, variables: Record<string, unknown>, operationName?: string): Promise<unknown> {
  const res = await fetch(`${server.url}/v0/gql`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ query, variables, operationName }),
  });
  return res.json();
}

/** A tool's structured answer; fails the test on a tool error. */
async function call<T>(name: string, args: Record<string, unknown>): Promise<T> {
  const result = await mcp.callTool({ name, arguments: args });
  expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false);
  return result.structuredContent as T;
}

describe("/mcp with the MCP SDK's client", () => {
  it("lists Inngest's dev-server tool names", async () => {
    const { tools } = await mcp.listTools();
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        "get_apps",
        "list_functions",
        "invoke_function",
        "send_event",
        "list_runs",
        "get_run",
        "get_run_trace",
        "rerun",
        "cancel_run",
        // Inngest's older tools, kept for existing integrations.
        "get_run_status",
        "poll_run_status",
        "invoke_function_sync",
      ]),
    );
    expect(tools.find((t) => t.name === "get_run")?.inputSchema.required).toEqual(["runId"]);
  });

  it("invokes a function, follows its run to the end and reads its trace with outputs", async () => {
    const functions = await call<{ data: { id: string }[] }>("list_functions", { appId: "e2e-tools" });
    expect(functions.data.map((f) => f.id)).toEqual(["greet", "nap"]);
    const invoked = await call<{ data: { runId: string } }>("invoke_function", { appId: "e2e-tools", functionId: "greet", data: { name: "Ada" } });
    // The tools answer with the REST API v2 body as it is: Inngest's InvokeFunctionResponse.
    expect(invoked).toEqual({ data: { runId: ULID, queuedAt: RFC3339 }, metadata: METADATA });
    const runId = invoked.data.runId;
    const run = await waitFor(
      async () => {
        const res = await mcp.callTool({ name: "get_run", arguments: { runId, includeOutput: true } });
        const body = res.structuredContent as { data?: { status: string; output?: unknown } } | undefined;
        return body?.data?.status === "COMPLETED" ? body.data : undefined;
      },
      60_000,
      "the invoked run to complete",
    );
    expect(run.output).toEqual({ greeting: "hello Ada" });
    const trace = await call<{ data: { rootSpan: { status: string; children: { name: string; stepOp: string; output: unknown }[] } } }>("get_run_trace", {
      runId,
      includeOutput: true,
    });
    expect(trace.data.rootSpan.status).toBe("COMPLETED");
    expect(trace.data.rootSpan.children).toEqual([expect.objectContaining({ name: "hello", stepOp: "RUN", output: { data: "hello Ada" } })]);

    // REST API v2 field by field for the SDK-driven run: Inngest's FunctionRun and RunTrace.
    const v2Run = (await v2Get(`/runs/${runId}?includeOutput=true`)) as { data: { trigger: { eventIds: string[] } } };
    expect(v2Run).toEqual({
      data: {
        id: runId,
        function: { id: "greet", name: "greet" },
        app: { id: "e2e-tools" },
        status: "COMPLETED",
        queuedAt: RFC3339,
        startedAt: RFC3339,
        endedAt: RFC3339,
        durationMs: INT64,
        trigger: { eventIds: [ULID], eventName: "inngest/function.invoked" },
        output: { greeting: "hello Ada" },
      },
      metadata: METADATA,
    });
    const span = { id: expect.any(String), queuedAt: RFC3339, startedAt: RFC3339, endedAt: RFC3339, durationMs: INT64 };
    expect(await v2Get(`/runs/${runId}/trace?includeOutput=true`)).toEqual({
      data: {
        runId,
        rootSpan: {
          ...span,
          name: "Run",
          status: "COMPLETED",
          output: { greeting: "hello Ada" },
          children: [
            { ...span, name: "hello", status: "COMPLETED", stepOp: "RUN", stepId: expect.stringMatching(/^[0-9a-f]{40}$/), output: { data: "hello Ada" } },
          ],
        },
      },
      metadata: METADATA,
    });

    // GraphQL: the SDK repository's GetRunTimeline, then the step's output by its id.
    const timeline = (await gql(
      `query GetRunTimeline($runId: String!) {
        run(runID: $runId) {
          trace(preview: true) {
            name stepType attempts outputID status
            childrenSpans { name stepType attempts outputID status childrenSpans { name } }
          }
        }
      }`,
      { runId },
      "GetRunTimeline",
    )) as { data: { run: { trace: { childrenSpans: { outputID: string }[] } } } };
    expect(timeline).toEqual({
      data: {
        run: {
          trace: {
            name: "Run",
            stepType: "",
            attempts: null,
            outputID: runId,
            status: "COMPLETED",
            childrenSpans: [
              {
                name: "hello",
                stepType: "RUN",
                attempts: 1,
                outputID: expect.stringMatching(new RegExp(`^${runId}:`)),
                status: "COMPLETED",
                childrenSpans: [],
              },
            ],
          },
        },
      },
    });
    const stepOutputId = timeline.data.run.trace.childrenSpans[0]!.outputID;
    expect(await gql(`query ($id: String!) { runTraceSpanOutputByID(outputID: $id) { data error { message } } }`, { id: stepOutputId })).toEqual({
      data: { runTraceSpanOutputByID: { data: '"hello Ada"', error: null } },
    });

    // Inngest's older get_run_status: the same run in its RunStatusResult shape.
    expect(await call("get_run_status", { runId })).toEqual({
      runId,
      functionName: "greet",
      status: "Completed",
      startedAt: RFC3339,
      endedAt: RFC3339,
      eventId: v2Run.data.trigger.eventIds[0],
      eventName: "inngest/function.invoked",
      steps: [{ stepName: "hello", stepId: expect.stringMatching(/^[0-9a-f]{40}$/), status: "completed", startedAt: RFC3339 }],
      output: { greeting: "hello Ada" },
    });

    // A rerun from the step, named as written in the code, is a new run that completes the same way.
    const rerun = await call<{ data: { runId: string } }>("rerun", { runId, fromStep: { stepId: "hello" } });
    expect(rerun).toEqual({ data: { runId: ULID }, metadata: METADATA });
    expect(rerun.data.runId).not.toBe(runId);
    // poll_run_status follows both to the end (the rerun may still be running).
    const polled = await call<{ runs: { runId: string; status: string }[] }>("poll_run_status", {
      runIds: [runId, rerun.data.runId],
      timeout: 60,
      pollInterval: 200,
    });
    expect(polled).toEqual({
      runs: [expect.objectContaining({ runId, status: "Completed" }), expect.objectContaining({ runId: rerun.data.runId, status: "Completed" })],
      completed: 2,
      running: 0,
      failed: 0,
    });
  });

  it("invokes a function and waits for its output (invoke_function_sync)", async () => {
    const result = await call("invoke_function_sync", { functionId: "greet", data: { name: "Lin" } });
    expect(result).toEqual({
      runId: ULID,
      functionName: "greet",
      status: "Completed",
      output: { greeting: "hello Lin" },
      duration: expect.any(Number),
      eventId: ULID,
    });
  });

  it("cancels a sleeping run, after the older tools' waits end at their timeout", async () => {
    // invoke_function_sync answers an error naming the run once its timeout is reached.
    const sync = await mcp.callTool({ name: "invoke_function_sync", arguments: { functionId: "e2e-tools-nap", timeout: 1 } });
    expect(sync.isError).toBe(true);
    const text = (sync.content as { text: string }[])[0]!.text;
    expect(text).toMatch(/^function invocation timed out after 1 seconds: run [0-9A-Z]{26} (is still \w+|has not started)$/);
    const runId = /run ([0-9A-Z]{26})/.exec(text)![1]!;
    // The run must exist before it can be cancelled; history shows it once it has started.
    await waitFor(async () => ((await mcp.callTool({ name: "get_run", arguments: { runId } })).isError ? undefined : true), 30_000, "the run to appear");
    // poll_run_status answers at its timeout with the run still running, and says so.
    expect(await call("poll_run_status", { runIds: [runId], timeout: 1 })).toEqual({
      runs: [expect.objectContaining({ runId, status: "Running", functionName: "nap" })],
      completed: 0,
      running: 1,
      failed: 0,
      timedOut: true,
    });
    expect(await call("cancel_run", { runId })).toEqual({ data: { runId }, metadata: METADATA });
    await waitFor(
      async () => {
        const res = await mcp.callTool({ name: "get_run", arguments: { runId } });
        return (res.structuredContent as { data: { status: string } }).data.status === "CANCELLED" ? true : undefined;
      },
      30_000,
      "the run to be cancelled",
    );
  });

  it("sends an event whose run the SDK tests' event-stream query then finds", async () => {
    const sent = await call<{ eventId: string; runIds: string[] }>("send_event", { name: "tools/greet", data: { name: "Grace" } });
    const runId = await waitFor(
      async () => {
        const body = (await gql(
          "query GetEventStream { stream(query: {limit: 999, includeInternalEvents: false}) { id trigger runs { id function { name } } } }",
          {},
          "GetEventStream",
        )) as { data: { stream: { id: string; runs: { id: string; function: { name: string } }[] }[] } };
        return body.data.stream.find((i) => i.id === sent.eventId)?.runs.find((r) => r.function.name === "greet")?.id;
      },
      30_000,
      "the event's run in the stream",
    );
    if (sent.runIds.length > 0) expect(sent.runIds).toEqual([runId]);

    // The event's runs over REST API v2, field by field, once the run has ended.
    const eventRuns = await waitFor(
      async () => {
        const body = (await v2Get(`/events/${sent.eventId}/runs?includeOutput=true`)) as { data: { status: string }[] };
        return body.data[0]?.status === "COMPLETED" ? body : undefined;
      },
      60_000,
      "the event's run to complete",
    );
    expect(eventRuns).toEqual({
      data: [
        {
          id: runId,
          function: { id: "greet", name: "greet" },
          app: { id: "e2e-tools" },
          status: "COMPLETED",
          queuedAt: RFC3339,
          startedAt: RFC3339,
          endedAt: RFC3339,
          durationMs: INT64,
          trigger: { eventIds: [sent.eventId], eventName: "tools/greet" },
          output: { greeting: "hello Grace" },
        },
      ],
      metadata: METADATA,
      page: { limit: V2_PAGE_DEFAULT },
    });
  });
});

/**
 * The tools that talk to a dev server, against a real one: an MCP client from the official
 * `@modelcontextprotocol/sdk` lists `/mcp`'s tools and uses them to invoke a function, follow
 * its run to the end, read its trace with outputs and rerun it from a step, to cancel a sleeping
 * run, and to send an event; the SDK repository's
 * event-stream query then finds that event's run over `/v0/gql`.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devClient, serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { syncApp } from "./harness/server-api";
import { waitFor } from "./harness/wait";

let server: DevServer;
let app: TestApp;
let mcp: Client;

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
      expect.arrayContaining(["get_apps", "list_functions", "invoke_function", "send_event", "list_runs", "get_run", "get_run_trace", "rerun", "cancel_run"]),
    );
    expect(tools.find((t) => t.name === "get_run")?.inputSchema.required).toEqual(["runId"]);
  });

  it("invokes a function, follows its run to the end and reads its trace with outputs", async () => {
    const functions = await call<{ data: { id: string }[] }>("list_functions", { appId: "e2e-tools" });
    expect(functions.data.map((f) => f.id)).toEqual(["greet", "nap"]);
    const invoked = await call<{ data: { runId: string } }>("invoke_function", { appId: "e2e-tools", functionId: "greet", data: { name: "Ada" } });
    const run = await waitFor(
      async () => {
        const res = await mcp.callTool({ name: "get_run", arguments: { runId: invoked.data.runId, includeOutput: true } });
        const body = res.structuredContent as { data?: { status: string; output?: unknown } } | undefined;
        return body?.data?.status === "COMPLETED" ? body.data : undefined;
      },
      60_000,
      "the invoked run to complete",
    );
    expect(run.output).toEqual({ greeting: "hello Ada" });
    const trace = await call<{ data: { rootSpan: { status: string; children: { name: string; stepOp: string; output: unknown }[] } } }>("get_run_trace", {
      runId: invoked.data.runId,
      includeOutput: true,
    });
    expect(trace.data.rootSpan.status).toBe("COMPLETED");
    expect(trace.data.rootSpan.children).toEqual([expect.objectContaining({ name: "hello", stepOp: "RUN", output: { data: "hello Ada" } })]);

    // A rerun from the step, named as written in the code, is a new run that completes the same way.
    const rerun = await call<{ data: { runId: string } }>("rerun", { runId: invoked.data.runId, fromStep: { stepId: "hello" } });
    expect(rerun.data.runId).not.toBe(invoked.data.runId);
    await waitFor(
      async () => {
        const res = await mcp.callTool({ name: "get_run", arguments: { runId: rerun.data.runId, includeOutput: true } });
        const body = res.structuredContent as { data?: { status: string; output?: unknown } } | undefined;
        return body?.data?.status === "COMPLETED" ? body.data : undefined;
      },
      60_000,
      "the rerun to complete",
    );
  });

  it("cancels a sleeping run", async () => {
    const invoked = await call<{ data: { runId: string } }>("invoke_function", { appId: "e2e-tools", functionId: "nap" });
    // The run must exist before it can be cancelled; history shows it once it has started.
    await waitFor(
      async () => ((await mcp.callTool({ name: "get_run", arguments: { runId: invoked.data.runId } })).isError ? undefined : true),
      30_000,
      "the run to appear",
    );
    expect(await call("cancel_run", { runId: invoked.data.runId })).toMatchObject({ data: { runId: invoked.data.runId } });
    await waitFor(
      async () => {
        const res = await mcp.callTool({ name: "get_run", arguments: { runId: invoked.data.runId } });
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
        const res = await fetch(`${server.url}/v0/gql`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({
            query: "query GetEventStream { stream(query: {limit: 999, includeInternalEvents: false}) { id trigger runs { id function { name } } } }",
            operationName: "GetEventStream",
          }),
        });
        const body = (await res.json()) as { data: { stream: { id: string; runs: { id: string; function: { name: string } }[] }[] } };
        return body.data.stream.find((i) => i.id === sent.eventId)?.runs.find((r) => r.function.name === "greet")?.id;
      },
      30_000,
      "the event's run in the stream",
    );
    if (sent.runIds.length > 0) expect(sent.runIds).toEqual([runId]);
  });
});

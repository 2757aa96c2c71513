/**
 * The older tools of Inngest's dev-server MCP, which it keeps for existing integrations and
 * marks deprecated: `get_run_status`, `poll_run_status` and `invoke_function_sync`. Each is a thin
 * wrapper over the REST API v2 routes the current tools call (get a run, its trace, invoke), and
 * answers in Inngest's shapes for them: run statuses as its run-status names (`Completed`), step
 * statuses in lower case. The waits are bounded: `timeout` defaults to MCP_RUN_WAIT_DEFAULT_S and
 * may not exceed MCP_RUN_WAIT_MAX_S; while waiting they read only the runs' statuses
 * (mcp-run-wait.ts), and the v2 run and trace once, for the answer.
 * @module
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import {
  MCP_INVOKE_SYNC_POLL_MS,
  MCP_POLL_MAX_RUNS,
  MCP_RUN_POLL_DEFAULT_MS,
  MCP_RUN_POLL_MIN_MS,
  MCP_RUN_WAIT_DEFAULT_S,
  MCP_RUN_WAIT_MAX_S,
} from "../constants";
import type { Env } from "../env";
import { INNGEST_RUN_STATUS } from "../history/trace";
import { listFunctions } from "../sync/store";
import { hasEnded, systemClock, waitForRuns, type WaitClock } from "./mcp-run-wait";
import { callV2 } from "./mcp-tools";
import { publicFunctionId } from "./v2-shapes";

/** A run's or step's output in a v2 answer. */
const outputSchema = z.record(z.string(), z.unknown()).nullish();

/** The fields of a v2 run these tools read. */
const v2RunSchema = z.object({
  id: z.string(),
  function: z.object({ id: z.string(), name: z.string() }),
  status: z.enum(["QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"]),
  startedAt: z.string().nullish(),
  queuedAt: z.string(),
  endedAt: z.string().nullish(),
  trigger: z.object({ eventIds: z.array(z.string()), eventName: z.string().nullish() }),
  output: outputSchema,
});

/** The fields of a v2 trace span these tools read. */
type V2Span = {
  name: string;
  stepId?: string | null | undefined;
  status: string;
  queuedAt: string;
  startedAt?: string | null | undefined;
  output?: z.infer<typeof outputSchema>;
  children?: V2Span[] | null | undefined;
};
const v2SpanSchema: z.ZodType<V2Span> = z.lazy(() =>
  z.object({
    name: z.string(),
    stepId: z.string().nullish(),
    status: z.string(),
    queuedAt: z.string(),
    startedAt: z.string().nullish(),
    output: outputSchema,
    children: z.array(v2SpanSchema).nullish(),
  }),
);

/** v2 run statuses as Inngest's run-status names, which these older tools answer with. */
const RUN_STATUS = { QUEUED: "Scheduled", RUNNING: "Running", COMPLETED: "Completed", FAILED: "Failed", CANCELLED: "Cancelled" } as const;
/** The statuses a run ends in. */
const ENDED = new Set(["COMPLETED", "FAILED", "CANCELLED"]);

/** A run as `get_run_status` answers it (Inngest's `RunStatusResult`). */
interface RunStatus {
  runId: string;
  functionName: string;
  status: (typeof RUN_STATUS)[keyof typeof RUN_STATUS];
  startedAt: string;
  endedAt?: string;
  eventId: string;
  eventName?: string;
  steps: { stepName: string; stepId: string; status: string; startedAt: string; error?: string }[];
  output?: Record<string, unknown>;
  error?: string;
}

/** The message of a failed run's or step's output (the serialized error), else the output as JSON. */
function errorText(output: z.infer<typeof outputSchema>): string | undefined {
  if (output == null) return undefined;
  const inner = (output.error ?? output) as unknown;
  if (typeof inner === "string") return inner;
  const message = (inner as { message?: unknown }).message;
  return typeof message === "string" ? message : JSON.stringify(inner);
}

/** A run with its steps, from the v2 run and trace, and whether it has ended; the v2 error when the run cannot be read. */
async function runStatus(env: Env, runId: string): Promise<{ run: RunStatus; ended: boolean } | { error: string }> {
  const path = `/runs/${encodeURIComponent(runId)}`;
  const [run, trace] = await Promise.all([
    callV2(env, "GET", `${path}?includeOutput=true`, v2RunSchema),
    callV2(env, "GET", `${path}/trace?includeOutput=true`, z.object({ rootSpan: v2SpanSchema })),
  ]);
  if (!run.ok) return { error: `run ${runId}: HTTP ${run.status}: ${run.text}` };
  const r = run.data;
  const failed = r.status === "FAILED";
  const steps = (trace.ok ? (trace.data.rootSpan.children ?? []) : []).map((s) => {
    const error = s.status === "FAILED" ? errorText(s.output) : undefined;
    return { stepName: s.name, stepId: s.stepId ?? "", status: s.status.toLowerCase(), startedAt: s.startedAt ?? s.queuedAt, ...(error && { error }) };
  });
  const status: RunStatus = {
    runId: r.id,
    functionName: r.function.name,
    status: RUN_STATUS[r.status],
    startedAt: r.startedAt ?? r.queuedAt,
    ...(r.endedAt && { endedAt: r.endedAt }),
    eventId: r.trigger.eventIds[0] ?? "",
    ...(r.trigger.eventName && { eventName: r.trigger.eventName }),
    steps,
    ...(r.output && !failed && { output: r.output }),
    ...(failed && { error: errorText(r.output) ?? "failed" }),
  };
  return { run: status, ended: ENDED.has(r.status) };
}

/** A short text summary of a run, as the tools' text content. */
function summary(run: RunStatus): string {
  const lines = [`Run ${run.runId}: ${run.status}`, `Function: ${run.functionName}`, `Started: ${run.startedAt}`];
  if (run.endedAt) lines.push(`Ended: ${run.endedAt}`);
  if (run.eventName) lines.push(`Triggered by: ${run.eventName}`);
  for (const step of run.steps) lines.push(`  - ${step.stepName}: ${step.status}${step.error ? ` (${step.error})` : ""}`);
  if (run.error) lines.push(`Error: ${run.error}`);
  return lines.join("\n");
}

const fail = (text: string): CallToolResult => ({ isError: true, content: [{ type: "text", text }] });
const timeout = z
  .number()
  .int()
  .min(1)
  .max(MCP_RUN_WAIT_MAX_S)
  .optional()
  .describe(`Seconds to wait (default ${MCP_RUN_WAIT_DEFAULT_S}, at most ${MCP_RUN_WAIT_MAX_S})`);
const deprecated = "Deprecated compatibility tool kept for existing dev server integrations.";

/** Registers the three older tools on `server`, answering with `env`'s bindings; the waits go by `clock`. */
export function registerCompatTools(server: McpServer, env: Env, clock: WaitClock = systemClock): void {
  server.registerTool(
    "get_run_status",
    {
      title: "Get run status",
      description: `${deprecated} Use get_run and get_run_trace instead. A run's status, steps, output or error.`,
      inputSchema: { runId: z.string().min(1).describe("The run's id") },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ runId }) => {
      const found = await runStatus(env, runId);
      if ("error" in found) return fail(found.error);
      return { content: [{ type: "text", text: summary(found.run) }], structuredContent: { ...found.run } };
    },
  );

  server.registerTool(
    "poll_run_status",
    {
      title: "Poll run status",
      description: `${deprecated} Use get_run instead. Polls runs until all have ended or the timeout is reached.`,
      inputSchema: {
        runIds: z.array(z.string().min(1)).min(1).max(MCP_POLL_MAX_RUNS).describe("The runs to follow"),
        timeout,
        pollInterval: z.number().int().min(MCP_RUN_POLL_MIN_MS).optional().describe(`Milliseconds between polls (default ${MCP_RUN_POLL_DEFAULT_MS})`),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ runIds, timeout: seconds = MCP_RUN_WAIT_DEFAULT_S, pollInterval = MCP_RUN_POLL_DEFAULT_MS }) => {
      // A run not found (yet) is left out, as Inngest does; it is not counted as running.
      const wait = await waitForRuns(
        env.DB,
        { runIds, deadline: clock.now() + seconds * 1000, firstPause: pollInterval, done: (found) => found.every((r) => hasEnded(r.status)) },
        clock,
      );
      const seen = new Set(wait.found.map((r) => r.id));
      const found = (await Promise.all(runIds.filter((id) => seen.has(id)).map((id) => runStatus(env, id)))).filter((r) => "run" in r);
      const runs = found.map((r) => r.run);
      if (runs.length === 0) return fail(`none of the runs was found: ${runIds.join(", ")}`);
      const running = found.filter((r) => !r.ended).length;
      const timedOut = wait.timedOut && running > 0;
      const completed = runs.filter((r) => r.status === "Completed").length;
      const result = { runs, completed, running, failed: runs.length - completed - running, ...(timedOut && { timedOut: true }) };
      const head = timedOut
        ? `Timed out after ${seconds} s with ${running} run(s) still running`
        : `All ${runs.length} run(s) ended: ${completed} completed, ${result.failed} failed or cancelled`;
      return { content: [{ type: "text", text: [head, ...runs.map(summary)].join("\n\n") }], structuredContent: result };
    },
  );

  server.registerTool(
    "invoke_function_sync",
    {
      title: "Invoke function and wait",
      description: `${deprecated} Use invoke_function instead. Invokes a function and waits for its run to end.`,
      inputSchema: {
        functionId: z.string().min(1).describe("The function's id (as in the code, or with its app's prefix) or name"),
        data: z.record(z.string(), z.unknown()).optional().describe("The function's input, as `event.data`"),
        timeout,
      },
      annotations: { readOnlyHint: false, openWorldHint: false },
    },
    async ({ functionId, data, timeout: seconds = MCP_RUN_WAIT_DEFAULT_S }) => {
      const started = clock.now();
      const fn = (await listFunctions(env.DB)).find(
        (f) => f.id === functionId || publicFunctionId(f.appId, f.id) === functionId || f.config.name === functionId,
      );
      if (!fn) return fail(`function not found: ${functionId}`);
      const path = `/apps/${encodeURIComponent(fn.appId)}/functions/${encodeURIComponent(publicFunctionId(fn.appId, fn.id))}/invoke`;
      const invoked = await callV2(env, "POST", path, z.object({ runId: z.string() }), { data: data ?? {} });
      if (!invoked.ok) return fail(`invoking ${functionId}: HTTP ${invoked.status}: ${invoked.text}`);
      const { runId } = invoked.data;
      // The run appears in history a moment after the invoke: not found yet is waited on too.
      const wait = await waitForRuns(
        env.DB,
        { runIds: [runId], deadline: started + seconds * 1000, firstPause: MCP_INVOKE_SYNC_POLL_MS, done: (found) => found.some((r) => hasEnded(r.status)) },
        clock,
      );
      if (wait.timedOut) {
        const last = wait.found[0];
        const state = last ? `is still ${RUN_STATUS[INNGEST_RUN_STATUS[last.status]]}` : "has not started";
        return fail(`function invocation timed out after ${seconds} seconds: run ${runId} ${state}`);
      }
      const found = await runStatus(env, runId);
      if ("error" in found) return fail(found.error);
      const run = found.run;
      const result = {
        runId,
        functionName: run.functionName,
        status: run.status,
        ...(run.output && { output: run.output }),
        duration: clock.now() - started,
        eventId: run.eventId,
        ...(run.error && { error: run.error }),
      };
      return { content: [{ type: "text", text: summary(run) }], structuredContent: result };
    },
  );
}

/**
 * The tools of `/mcp`, named as Inngest's dev-server MCP names them. As there, most tools are the
 * REST API v2 endpoints (each tool's arguments are the endpoint's fields, camelCase), answered by
 * calling the v2 routes in-process so the two surfaces cannot drift apart; `send_event` sends an
 * event the way `POST /e/:key` does and reports the runs it started.
 * @module
 */
import { Hono } from "hono";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { Env } from "../env";
import { runsForEvent } from "../history/runs";
import { acceptEvents } from "../ingest/accept-events";
import { MCP_SEND_EVENT_POLL_MS, MCP_SEND_EVENT_WAIT_MS } from "../constants";
import { v2AppRoutes } from "./v2-app-routes";
import { v2RunRoutes } from "./v2-run-routes";

/** The v2 routes the tools call, without the Worker's middleware: `/mcp` has already passed it. */
const v2 = new Hono<{ Bindings: Env }>().route("/", v2RunRoutes).route("/", v2AppRoutes);

const id = (what: string) => z.string().min(1).describe(what);
const includeOutput = z.boolean().optional().describe("Include run and step outputs");
const cursor = z.string().optional().describe("Pagination cursor from the previous page");
const limit = z.number().int().optional().describe("Items per page");
const runFilters = {
  includeOutput,
  cursor,
  limit,
  from: z.string().optional().describe("Inclusive start of the queued-at range (RFC 3339)"),
  until: z.string().optional().describe("Inclusive end of the queued-at range (RFC 3339)"),
  status: z.array(z.string()).optional().describe("Statuses to include: QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED"),
};

/** A tool backed by one REST API v2 endpoint. */
interface V2Tool {
  name: string;
  title: string;
  method: "GET" | "POST";
  /** The endpoint path with `{param}` placeholders filled from the arguments of the same name. */
  path: string;
  input: z.ZodRawShape;
}

const V2_TOOLS: V2Tool[] = [
  { name: "health", title: "Check API health", method: "GET", path: "/health", input: {} },
  { name: "get_apps", title: "Get apps", method: "GET", path: "/apps", input: { cursor, limit, archived: z.boolean().optional() } },
  { name: "get_app", title: "Get app", method: "GET", path: "/apps/{appId}", input: { appId: id("The app's id") } },
  {
    name: "list_functions",
    title: "List an app's functions",
    method: "GET",
    path: "/apps/{appId}/functions",
    input: { appId: id("The app's id"), cursor, limit },
  },
  {
    name: "get_function",
    title: "Get function",
    method: "GET",
    path: "/apps/{appId}/functions/{functionId}",
    input: { appId: id("The app's id"), functionId: id("The function's id") },
  },
  {
    name: "invoke_function",
    title: "Invoke function",
    method: "POST",
    path: "/apps/{appId}/functions/{functionId}/invoke",
    input: {
      appId: id("The app's id"),
      functionId: id("The function's id"),
      data: z.record(z.string(), z.unknown()).optional().describe("The function's input, as `event.data`"),
    },
  },
  {
    name: "list_runs",
    title: "List runs",
    method: "GET",
    path: "/runs",
    input: { ...runFilters, appId: z.array(z.string()).optional(), functionId: z.array(z.string()).optional() },
  },
  {
    name: "list_function_runs",
    title: "List a function's runs",
    method: "GET",
    path: "/apps/{appId}/functions/{functionId}/runs",
    input: { appId: id("The app's id"), functionId: id("The function's id"), ...runFilters },
  },
  { name: "get_run", title: "Get function run", method: "GET", path: "/runs/{runId}", input: { runId: id("The run's id"), includeOutput } },
  { name: "get_run_trace", title: "Get a run's trace", method: "GET", path: "/runs/{runId}/trace", input: { runId: id("The run's id"), includeOutput } },
  {
    name: "get_event_runs",
    title: "Get an event's runs",
    method: "GET",
    path: "/events/{eventId}/runs",
    input: { eventId: id("The event's internal id"), includeOutput, cursor, limit },
  },
  {
    name: "rerun",
    title: "Rerun function run",
    method: "POST",
    path: "/runs/{runId}/rerun",
    input: {
      runId: id("The run to rerun"),
      fromStep: z
        .object({ stepId: z.string().describe("The step's id as written in the code") })
        .optional()
        .describe("Rerun from this step"),
    },
  },
  { name: "cancel_run", title: "Cancel function run", method: "POST", path: "/runs/{runId}/cancel", input: { runId: id("The run to cancel") } },
];

/** The request for `tool` with `args`: path parameters filled, the rest in the query or body. */
function v2Request(tool: V2Tool, args: Record<string, unknown>): Request {
  const rest = { ...args };
  const path = tool.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = rest[name];
    delete rest[name];
    return encodeURIComponent(String(value));
  });
  const url = new URL(`http://mcp.internal/api/v2${path}`);
  if (tool.method === "POST") {
    return new Request(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(rest) });
  }
  for (const [name, value] of Object.entries(rest)) {
    for (const v of [value].flat()) if (v !== undefined) url.searchParams.append(name, String(v));
  }
  return new Request(url);
}

/** A tool's answer: the endpoint's JSON as text and as structured content; a failure is a tool error. */
async function toolResult(res: Response): Promise<CallToolResult> {
  const text = await res.text();
  if (res.status >= 400) return { isError: true, content: [{ type: "text", text: `REST API v2 returned HTTP ${res.status}: ${text}` }] };
  return { content: [{ type: "text", text }], structuredContent: JSON.parse(text) as Record<string, unknown> };
}

/** What a REST API v2 route answered: its `data` on success, else the status and body as text. */
export type V2Answer<T> = { ok: true; data: T } | { ok: false; status: number; text: string };

/**
 * Calls the v2 route at `path` (under `/api/v2`) in-process, for tools built on several of them,
 * and reads its `data` with `schema` (the fields the tool uses).
 */
export async function callV2<S extends z.ZodType>(env: Env, method: "GET" | "POST", path: string, schema: S, body?: unknown): Promise<V2Answer<z.infer<S>>> {
  const url = `http://mcp.internal/api/v2${path}`;
  const init = method === "POST" ? { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body ?? {}) } : undefined;
  const res = await v2.fetch(new Request(url, init), env);
  const text = await res.text();
  if (res.status >= 400) return { ok: false, status: res.status, text };
  const envelope = z.object({ data: z.unknown() }).safeParse(JSON.parse(text));
  const answer = schema.safeParse(envelope.success ? envelope.data.data : undefined);
  if (!answer.success) return { ok: false, status: res.status, text: `unexpected answer: ${z.prettifyError(answer.error)}` };
  return { ok: true, data: answer.data };
}

/** Waits up to MCP_SEND_EVENT_WAIT_MS for the runs an event starts, so the answer can name them. */
async function runsStartedBy(env: Env, eventId: string): Promise<string[]> {
  const until = Date.now() + MCP_SEND_EVENT_WAIT_MS;
  for (;;) {
    const runs = await runsForEvent(env.DB, eventId);
    if (runs.length > 0 || Date.now() >= until) return runs.map((r) => r.id);
    await new Promise((resolve) => setTimeout(resolve, MCP_SEND_EVENT_POLL_MS));
  }
}

/** Registers every tool on `server`, answering with `env`'s bindings. */
export function registerTools(server: McpServer, env: Env): void {
  for (const tool of V2_TOOLS) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: `${tool.title}: ${tool.method} /api/v2${tool.path}`,
        inputSchema: tool.input,
        annotations: { readOnlyHint: tool.method === "GET", openWorldHint: false },
      },
      async (args: Record<string, unknown>) => toolResult(await v2.fetch(v2Request(tool, args), env)),
    );
  }

  server.registerTool(
    "send_event",
    {
      title: "Send event",
      description: "Send an event and return its id and the ids of the runs it started within a moment",
      inputSchema: {
        name: z.string().min(1).describe("The event name, e.g. test/hello.world"),
        data: z.record(z.string(), z.unknown()).optional().describe("The event data"),
        user: z.record(z.string(), z.unknown()).optional().describe("The event's user context"),
      },
      annotations: { readOnlyHint: false, openWorldHint: false },
    },
    async ({ name, data, user }) => {
      const accepted = await acceptEvents(env, JSON.stringify({ name, data: data ?? {}, user: user ?? {} }), null, Date.now());
      if (!accepted.ok) return { isError: true, content: [{ type: "text", text: accepted.error }] };
      const eventId = accepted.ids[0]!;
      const runIds = await runsStartedBy(env, eventId);
      const result = { eventId, runIds, status: "accepted" };
      const summary = runIds.length > 0 ? `started ${runIds.length} run(s): ${runIds.join(", ")}` : "no run has started yet";
      return { content: [{ type: "text", text: `Event "${name}" sent with id ${eventId}; ${summary}` }], structuredContent: result };
    },
  );
}

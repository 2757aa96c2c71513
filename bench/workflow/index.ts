/**
 * A Workflow with ten no-op steps, each returning the time it started, plus a tiny HTTP API
 * for the bench to create instances and read their status.
 */
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";

/** Must match STEP_COUNT in bench/lib/config.mjs: both sides time the same function. */
const STEP_COUNT = 10;

interface Env {
  WF: Workflow;
}

export class TenSteps extends WorkflowEntrypoint<Env, Record<string, never>> {
  override async run(_event: WorkflowEvent<Record<string, never>>, step: WorkflowStep) {
    const startedAt: number[] = [];
    for (let i = 0; i < STEP_COUNT; i++) {
      // Date.now() in workerd advances on I/O; each step is an RPC from the engine, so the
      // value read here is the step's start as the runtime sees it.
      startedAt.push(await step.do(`step-${i}`, async () => Date.now()));
    }
    // Read after the last step's RPC returned: the moment the run's code is done.
    return { startedAt, finishedAt: Date.now() };
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    if (request.method === "POST" && url.pathname === "/instances") {
      const instance = await env.WF.create({ params: {} });
      return Response.json({ id: instance.id });
    }
    const match = /^\/instances\/([^/]+)$/.exec(url.pathname);
    if (request.method === "GET" && match) {
      const instance = await env.WF.get(match[1]!);
      return Response.json(await instance.status());
    }
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<Env>;

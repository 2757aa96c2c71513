/**
 * The Worker's entry points with the D1 meter (src/metering/d1-meter.ts) around them when it is
 * switched on: each request, queue batch and scheduled event counts under the path of the work
 * it does. Switched off, the handlers are called as they are.
 * @module
 */
import type { Env } from "../env";
import { installD1Meter, meteringEnabled, meterMethods, onPath } from "./d1-meter";
import { noteEntered, timingEnabled } from "./phase-timing";

/** A Durable Object class's prototype, the path of each metered method, and the rest's path. */
export type MeteredClass = [proto: object, paths: Record<string, string>, fallback: string];

/** The path of an HTTP request: the SDK-facing hot paths by name, the rest `api`. */
export function requestPath(method: string, pathname: string): string {
  if (method === "POST" && pathname.startsWith("/e/")) return "ingest";
  if (pathname === "/v1/checkpoint" || pathname.startsWith("/v1/checkpoint/")) return "step";
  if (pathname === "/fn/register" || pathname === "/v0/apps/sync") return "sync";
  return "api";
}

/** The path of a queue batch: routing for the events queue, else the queue's name. */
export function queuePath(queue: string): string {
  return queue.startsWith("stepflare-events") ? "routing" : `queue:${queue}`;
}

/** The entry points the meter goes around, as the runtime calls them. */
interface Handlers {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response>;
  queue(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext): Promise<void>;
  scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void>;
}

/**
 * `handlers` with the meter around each entry point (typed as given, so callers see no change);
 * `classes` are metered once the meter is first found on.
 */
export function meteredHandlers<H extends Handlers>(handlers: H, classes: MeteredClass[]): H {
  let classesMetered = false;
  const enable = (env: Env): boolean => {
    if (!meteringEnabled(env)) return false;
    installD1Meter(env.DB);
    if (!classesMetered) {
      classesMetered = true;
      for (const [proto, paths, fallback] of classes) meterMethods(proto, paths, fallback);
    }
    return true;
  };
  const metered: Handlers = {
    fetch(request, env, ctx) {
      if (timingEnabled(env)) noteEntered(request);
      if (!enable(env)) return handlers.fetch(request, env, ctx);
      return onPath(requestPath(request.method, new URL(request.url).pathname), () => handlers.fetch(request, env, ctx));
    },
    queue(batch, env, ctx) {
      if (!enable(env)) return handlers.queue(batch, env, ctx);
      return onPath(queuePath(batch.queue), () => handlers.queue(batch, env, ctx));
    },
    scheduled(controller, env, ctx) {
      if (!enable(env)) return handlers.scheduled(controller, env, ctx);
      return onPath("scheduler", () => handlers.scheduled(controller, env, ctx));
    },
  };
  return { ...handlers, ...metered };
}

/**
 * SDK routes of features stepflare does not serve yet. Each answers 404 with a JSON error naming
 * the feature, rather than the generic "no route" one, so what the SDK reports says what is
 * missing. A 4xx, as every answer to a request the server cannot serve (5xx means the server
 * failed), and one each caller handles without trying harder: the metadata API throws the error
 * into the caller's code, the OpenTelemetry exporter drops the batch without retrying (it retries
 * only 429 and 502-504), and `connect()` retries its start request on its usual backoff (1 s
 * growing to 5 min) whatever the status but 401 and 429, which would mislead it.
 * @module
 */
import { Hono } from "hono";
import type { Env } from "../env";
import { fail } from "./respond";

/** Routes for unsupported SDK features; mount at the root of the Worker's Hono app. */
export const unsupportedRoutes = new Hono<{ Bindings: Env }>();

/** The error each unsupported route answers, by route. */
export const UNSUPPORTED_ROUTE_ERRORS = {
  metadata:
    "run metadata (inngest.metadata.set() outside a step.run, or for another run: POST /v1/runs/:runId/metadata) " +
    "is not supported by stepflare yet: it is not stored",
  traces:
    "exporting OpenTelemetry spans (extendedTracesMiddleware / InngestSpanProcessor: POST /v1/traces/userland) " +
    "is not supported by stepflare yet: the spans are not stored",
  connect:
    "connect() (Inngest's WebSocket worker gateway: /v0/connect/start, /v0/connect/flush) is not supported by " +
    "stepflare yet: serve your functions over HTTP with serve() instead",
} as const;

unsupportedRoutes.post("/v1/runs/:runId/metadata", (c) => fail(c, 404, UNSUPPORTED_ROUTE_ERRORS.metadata));
unsupportedRoutes.post("/v1/traces/userland", (c) => fail(c, 404, UNSUPPORTED_ROUTE_ERRORS.traces));
unsupportedRoutes.post("/v0/connect/start", (c) => fail(c, 404, UNSUPPORTED_ROUTE_ERRORS.connect));
unsupportedRoutes.post("/v0/connect/flush", (c) => fail(c, 404, UNSUPPORTED_ROUTE_ERRORS.connect));

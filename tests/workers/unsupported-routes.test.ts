/**
 * SDK routes of features stepflare does not serve yet, at the HTTP boundary: OpenTelemetry span
 * export (`/v1/traces/userland`) and `connect()` (`/v0/connect/start`, `/flush`) answer 404 with
 * a JSON error naming the feature rather than the generic "no route" 404, and in production mode
 * only after the API gate (the SDK sends its key). Tested here because the SDK gives its callers
 * nothing to observe: its span exporter drops a refused batch quietly and `connect()` keeps
 * retrying without resolving. Run metadata, which the SDK does report, is tested end to end
 * (tests/e2e/sdk-ops.test.ts).
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/api/app";
import { UNSUPPORTED_ROUTE_ERRORS } from "../../src/api/unsupported-routes";
import type { Env } from "../../src/env";
import { hashSigningKey } from "../../src/protocol/signing";
import { workerFetch } from "./helpers/worker";

const ROUTES = [
  { path: "/v1/traces/userland", type: "application/json", body: '{"resourceSpans":[]}', error: UNSUPPORTED_ROUTE_ERRORS.traces, names: /OpenTelemetry/ },
  { path: "/v0/connect/start", type: "application/protobuf", body: "\u0000", error: UNSUPPORTED_ROUTE_ERRORS.connect, names: /connect\(\)/ },
  { path: "/v0/connect/flush", type: "application/protobuf", body: "\u0000", error: UNSUPPORTED_ROUTE_ERRORS.connect, names: /connect\(\)/ },
  {
    path: "/v1/runs/01JZZZZZZZZZZZZZZZZZZZZZZZ/metadata",
    type: "application/json",
    body: "{}",
    error: UNSUPPORTED_ROUTE_ERRORS.metadata,
    names: /run metadata/,
  },
];

describe("routes of unsupported SDK features", () => {
  it("answer 404 with an error naming the feature, not the generic one", async () => {
    for (const route of ROUTES) {
      const res = await workerFetch(route.path, { method: "POST", headers: { "Content-Type": route.type }, body: route.body });
      expect(res.status).toBe(404);
      const body = (await res.json()) as { error: string; status: number };
      expect(body).toEqual({ error: route.error, status: 404 });
      expect(body.error).toMatch(route.names);
      expect(body.error).toContain("not supported by stepflare yet");
      expect(body.error).not.toContain("no route");
    }
  });

  it("answer only past the API gate in production mode", async () => {
    const KEY = "signkey-prod-0123456789abcdef0123456789abcdef";
    const PROD: Env = { ...env, INNGEST_SIGNING_KEY: KEY };
    const call = async (path: string, headers: Record<string, string>) => {
      const ctx = createExecutionContext();
      const res = await app.fetch(new Request(`http://stepflare.example${path}`, { method: "POST", headers, body: "{}" }), PROD, ctx);
      await waitOnExecutionContext(ctx);
      return res.status;
    };
    const bearer = { Authorization: `Bearer ${await hashSigningKey(KEY)}` };
    for (const route of ROUTES) {
      expect(await call(route.path, {})).toBe(401);
      expect(await call(route.path, bearer)).toBe(404);
    }
  });
});

import { Hono } from "hono";
import type { Env } from "../env";
import { serverKind } from "../mode";
import { ensureHeartbeatOnce } from "../cron/heartbeat";
import { dashboardRoutes } from "../dashboard/routes";
import { meteringRoutes } from "../metering/routes";
import { syncRoutes } from "./sync-routes";
import { requireAuth } from "./auth";
import { checkpointRoutes } from "./checkpoint-routes";
import { devInfo } from "./dev-info";
import { endpointRoutes } from "./endpoint-routes";
import { eventRoutes } from "./event-routes";
import { handleError } from "../util/error-handler";
import { v0Routes } from "./v0-routes";
import { realtimeRoutes } from "./realtime-routes";
import { signalRoutes } from "./signal-routes";
import { v1Routes } from "./v1-routes";
import { v2AppRoutes } from "./v2-app-routes";
import { v2RunRoutes } from "./v2-run-routes";
import { graphqlRoutes } from "./graphql-routes";
import { mcpRoutes } from "./mcp-routes";
import { unsupportedRoutes } from "./unsupported-routes";

/** The Worker's HTTP surface. */
export const app = new Hono<{ Bindings: Env }>();

app.use(async (c, next) => {
  ensureHeartbeatOnce(c.env, (p) => c.executionCtx.waitUntil(p));
  await next();
  c.header("X-Inngest-Server-Kind", serverKind(c.env));
});

// In production mode, the REST API and dashboard need the signing key or a login; see auth.ts.
app.use(requireAuth);

app.get("/health", (c) => c.json({ status: "ok", mode: serverKind(c.env) }));

app.get("/dev", devInfo);

app.route("/", eventRoutes);
app.route("/", syncRoutes);
app.route("/", checkpointRoutes);
app.route("/", endpointRoutes);
app.route("/", v1Routes);
app.route("/", signalRoutes);
app.route("/", realtimeRoutes);
app.route("/", v0Routes);
app.route("/", v2RunRoutes);
app.route("/", v2AppRoutes);
app.route("/", graphqlRoutes);
app.route("/", mcpRoutes);
app.route("/", dashboardRoutes);
app.route("/", meteringRoutes);
app.route("/", unsupportedRoutes);

app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}`, status: 404 }, 404));

app.onError(handleError);

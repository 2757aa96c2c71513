/**
 * Every public route of the Worker, in one table, each with a generator of hostile requests to
 * it. tests/workers/fuzz.test.ts checks this table against the Hono app's own route list, so a
 * route added to the app without a line here fails that test.
 * @module
 */
import fc from "fast-check";
import {
  cancellationBody,
  signalBody,
  checkpointBody,
  checkpointFlood,
  endpointRunBody,
  eventFlood,
  eventsBody,
  FUZZ_APP_IDS,
  gqlBody,
  mcpBody,
  v2InvokeBody,
  v2RerunBody,
  hostileBody,
  invokeBody,
  realtimePublishBody,
  realtimeTokenBody,
  registerBody,
  registerFlood,
  rerunBody,
  syncBody,
} from "./fuzz-bodies";
import { type TextSpec, nastyString } from "./fuzz-values";

/** `dev` (no signing key) or `production` (signing and event keys set). */
export type Mode = "dev" | "production";

/**
 * Who may use a route in production mode: anyone (`open`), callers past the API gate (`gate`:
 * signing key as bearer, or a session), holders of an event key (`event-key`), or SDKs sending
 * the hashed signing key (`sdk-bearer`).
 */
export type AuthRule = "open" | "gate" | "event-key" | "sdk-bearer";

/** Headers that do or do not carry valid credentials for a production-mode server. */
export interface Credentials {
  headers: Record<string, string>;
  valid: boolean;
}

/** What the generators need to know about the server under test. */
export interface FuzzContext {
  mode: Mode;
  /** Headers that authorise (signing key as bearer, raw or hashed). */
  validAuth: Record<string, string>[];
  /** Headers that must not: wrong keys, malformed headers, request signatures instead of a bearer. */
  invalidAuth: Record<string, string>[];
  /** An event key the production server accepts. */
  eventKey: string;
  /** Ids of runs and events that exist, so id routes reach past their "not found". */
  knownIds: string[];
}

/** One generated request, compact enough to print when it fails. */
export interface RequestSpec {
  /** The route's key in {@link ROUTES}, e.g. `POST /e/:eventKey`. */
  route: string;
  method: string;
  /** Path and query, already percent-encoded (or deliberately mis-encoded). */
  path: string;
  headers: Record<string, string>;
  body?: TextSpec;
  /** Where the body is cut into stream chunks (fractions of its length), sent without a length. */
  cuts?: number[];
  /** Whether the request carries credentials the route's rule accepts (always true in dev mode). */
  authorized: boolean;
}

type RequestParts = Omit<RequestSpec, "route" | "method">;

/** A public route: its method and Hono path, its auth rule, what an accepted call may store. */
export interface FuzzRoute {
  method: "GET" | "POST" | "DELETE";
  path: string;
  auth: AuthRule;
  /** Storage (storedCounts keys: `d1:<table>`, `do:<namespace>`) a 2xx answer may grow, directly or through the work it starts. */
  mayStore: string[];
  request: (ctx: FuzzContext) => fc.Arbitrary<RequestParts>;
}

/** A path segment: an id that exists, plausible, percent-encoded junk, mis-encoded, or huge. */
const segment = (ctx: FuzzContext) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...ctx.knownIds, "01JZZZZZZZZZZZZZZZZZZZZZZZ", "fuzz-app", "fuzz-app-fn-0"), weight: 4 },
    { arbitrary: fc.string({ maxLength: 20 }).map(encodeURIComponent), weight: 2 },
    { arbitrary: fc.constantFrom("%ff", "%ed%a0%80", "%00", "%", "%zz", "a%2Fb", "..%2F..", "%2e%2e", "%F0%9F%98%80", "a;b=c"), weight: 2 },
    { arbitrary: fc.constantFrom(9_000, 60_000).map((n) => "a".repeat(n)), weight: 1 },
  );

/** Event field searches (`field=`) that are costly or odd for the JSON path they become. */
const fieldFilter = fc.constantFrom(
  "data.x%5B99999999999999999999%5D%3D1",
  "data.x%5B-1%5D%3D1",
  `data.${"a.".repeat(2_000)}b%3D1`,
  `data.x%3D${"%5B".repeat(1_500)}1${"%5D".repeat(1_500)}`,
  `data.x%3D${"%5B".repeat(50)}1${"%5D".repeat(50)}`,
  "data.x%3D%7B%22a%22%3A1%7D",
  "data.x%3D1e400",
  "data.%22%3D1",
  "data.%24%3D1",
  "%5B0%5D%3D1",
  "data.x%3D%ed%a0%80",
);

/** A query value: plausible for some parameter, or hostile. */
const queryValue = fc.oneof(
  fieldFilter,
  fc.constantFrom(
    "1",
    "0",
    "-1",
    "100",
    "1000000",
    "NaN",
    "1e400",
    "2020-01-01T00:00:00Z",
    "+010000-01-01",
    "queued,running",
    "nope",
    "data.x=1",
    "data.=",
    "data.a.b.c.d.e=1",
    "true",
    "%ff",
    "%ed%a0%80",
    "%",
    "",
  ),
  fc.string({ maxLength: 15 }).map(encodeURIComponent),
  fc.constant("x".repeat(9_000)),
);

/** A query string over `names` (the route's own parameters) and unknown ones, some repeated. */
function query(names: string[]): fc.Arbitrary<string> {
  const name = fc.oneof({ arbitrary: fc.constantFrom(...names, "unknown"), weight: 4 }, { arbitrary: fc.constantFrom("%ff", "a[b]", ""), weight: 1 });
  return fc.array(fc.tuple(name, queryValue), { maxLength: 4 }).map((pairs) => (pairs.length === 0 ? "" : `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`));
}

/** Content types a body may be labelled with; JSON routes must not care beyond the bytes. */
const contentType = fc.constantFrom(
  "application/json",
  "application/json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=latin1",
  "",
);

/** Browser provenance headers: none (SDKs, curl), same origin, or another site. */
function provenance(ctx: FuzzContext, method: string): fc.Arbitrary<Credentials> {
  const changing = method !== "GET";
  return fc.oneof(
    { arbitrary: fc.constant({ headers: {}, valid: true }), weight: 8 },
    { arbitrary: fc.constant({ headers: { Origin: "http://localhost:5173" }, valid: true }), weight: 1 },
    {
      arbitrary: fc
        .constantFrom<Record<string, string>>({ Origin: "https://evil.example" }, { Origin: "null" }, { "Sec-Fetch-Site": "cross-site" })
        // Dev mode refuses changes from other sites; production mode's gate rests on credentials.
        .map((headers) => ({ headers, valid: !(ctx.mode === "dev" && changing) })),
      weight: 1,
    },
  );
}

/** Credentials for a route's rule in production mode; in dev mode garbage headers, all allowed. */
function credentials(ctx: FuzzContext, auth: AuthRule): fc.Arbitrary<Credentials> {
  const valid = fc.constantFrom(...ctx.validAuth).map((headers) => ({ headers, valid: true }));
  const invalid = fc.constantFrom(...ctx.invalidAuth).map((headers) => ({ headers, valid: ctx.mode === "dev" || auth === "open" || auth === "event-key" }));
  return fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: invalid, weight: 2 });
}

interface Shape {
  /** The path with `:params` filled by {@link segment}s. */
  path: string;
  queryNames?: string[];
  body?: fc.Arbitrary<unknown>;
  /** A body that is not JSON (the login form). */
  rawBody?: fc.Arbitrary<TextSpec>;
  /** Bodies sent now and then besides the hostile variants of `body`. */
  rareBody?: fc.Arbitrary<TextSpec>;
}

/** Requests for one route of `method` shaped like `shape`. */
function requests(method: FuzzRoute["method"], auth: AuthRule, shape: Shape) {
  return (ctx: FuzzContext): fc.Arbitrary<RequestParts> => {
    const params = shape.path.split("/").filter((p) => p.startsWith(":")).length;
    const usual: fc.Arbitrary<TextSpec | undefined> = shape.rawBody ?? (shape.body ? hostileBody(shape.body) : fc.constant(undefined));
    const body = shape.rareBody ? fc.oneof({ arbitrary: usual, weight: 60 }, { arbitrary: shape.rareBody, weight: 1 }) : usual;
    return fc
      .record({
        segments: fc.array(segment(ctx), { minLength: params, maxLength: params }),
        query: shape.queryNames ? query(shape.queryNames) : fc.oneof(fc.constant(""), query(["unknown"])),
        body,
        contentType,
        cuts: fc.option(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }), { nil: undefined }),
        creds: credentials(ctx, auth),
        from: provenance(ctx, method),
        extra: fc.dictionary(
          fc.constantFrom("X-Inngest-Event-Id-Seed", "X-Inngest-Expected-Server-Kind", "X-Inngest-Sdk", "Content-Encoding", "Cookie", "X-Forwarded-For"),
          fc.oneof(
            fc.constantFrom("dev", "cloud", "gzip", "stepflare_session=forged.1.x", "1.2.3.4", "t=1&s=zz"),
            fc.string({ maxLength: 20 }).map((s) => s.replace(/[^\x20-\x7e]/g, "")),
          ),
          { maxKeys: 2 },
        ),
      })
      .map(({ segments, query, body, contentType, cuts, creds, from, extra }) => {
        let i = 0;
        const path = shape.path.replace(/:[A-Za-z]+/g, () => segments[i++] ?? "x") + query;
        const headers: Record<string, string> = { ...extra, ...creds.headers, ...from.headers };
        if (body !== undefined && contentType !== "") headers["Content-Type"] = contentType;
        const sent = body === undefined ? {} : cuts === undefined ? { body } : { body, cuts };
        return { path, headers, ...sent, authorized: creds.valid && from.valid };
      });
  };
}

/** An event key: the configured one, or a wrong one. */
function eventKeyPath(ctx: FuzzContext) {
  return fc.oneof({ arbitrary: fc.constant(ctx.eventKey), weight: 3 }, { arbitrary: segment(ctx), weight: 2 });
}

/**
 * What changing a run may lead to: runs and their steps, waits, skips, system events, and what
 * those events do to paused runs (a fuzz function waits for `fuzz/resume`).
 */
const RUN_EFFECTS = ["d1:events", "d1:event_effects", "d1:runs", "d1:steps", "d1:skipped_runs", "do:event_shards", "do:wait_shards"];
/** What an accepted event may lead to: its own row, and whatever the runs it starts do. */
const EVENT_EFFECTS = [...RUN_EFFECTS, "d1:events(sent)"];

const loginForm = fc
  .record({
    key: fc.oneof(fc.constant("signkey-prod-wrong"), nastyString),
    next: fc.oneof(fc.constantFrom("/runs", "//evil.example", "/\t/evil.example", "/%0d%0aSet-Cookie:x=1", "https://evil.example"), nastyString),
  })
  .map(({ key, next }) => new URLSearchParams({ key, next }).toString());

/** The dashboard's page paths; each answers the same HTML shell. */
const PAGES = ["/", "/runs", "/runs/:runId", "/events", "/events/:eventId", "/functions", "/apps", "/metrics", "/metrics/:functionId"];

const routeList: FuzzRoute[] = [
  { method: "GET", path: "/health", auth: "open", mayStore: [], request: requests("GET", "open", { path: "/health" }) },
  { method: "GET", path: "/dev", auth: "open", mayStore: [], request: requests("GET", "open", { path: "/dev" }) },
  // The bench's D1 meter: off here, so both answer the Worker's 404.
  { method: "GET", path: "/_bench/d1", auth: "open", mayStore: [], request: requests("GET", "open", { path: "/_bench/d1" }) },
  { method: "POST", path: "/_bench/d1/reset", auth: "open", mayStore: [], request: requests("POST", "open", { path: "/_bench/d1/reset" }) },
  { method: "GET", path: "/_bench/phases", auth: "open", mayStore: [], request: requests("GET", "open", { path: "/_bench/phases" }) },
  { method: "POST", path: "/_bench/phases/reset", auth: "open", mayStore: [], request: requests("POST", "open", { path: "/_bench/phases/reset" }) },
  {
    method: "POST",
    path: "/e/:eventKey",
    auth: "event-key",
    mayStore: EVENT_EFFECTS,
    request: (ctx) =>
      fc.tuple(requests("POST", "event-key", { path: "/e/KEY", body: eventsBody, rareBody: eventFlood })(ctx), eventKeyPath(ctx)).map(([parts, key]) => ({
        ...parts,
        path: parts.path.replace("/e/KEY", `/e/${key}`),
        authorized: parts.authorized && (ctx.mode === "dev" || key === ctx.eventKey),
      })),
  },
  {
    method: "POST",
    path: "/fn/register",
    auth: "sdk-bearer",
    mayStore: ["d1:apps", "d1:functions"],
    request: requests("POST", "sdk-bearer", { path: "/fn/register", body: registerBody, rareBody: registerFlood }),
  },
  {
    method: "POST",
    path: "/v0/apps/sync",
    auth: "gate",
    mayStore: ["d1:apps", "d1:functions"],
    request: requests("POST", "gate", { path: "/v0/apps/sync", body: syncBody }),
  },
  { method: "GET", path: "/v0/apps", auth: "gate", mayStore: [], request: requests("GET", "gate", { path: "/v0/apps" }) },
  {
    method: "POST",
    path: "/v1/checkpoint/:runId/async",
    auth: "gate",
    mayStore: RUN_EFFECTS,
    request: requests("POST", "gate", { path: "/v1/checkpoint/:runId/async", body: checkpointBody, rareBody: checkpointFlood }),
  },
  // Durable endpoints: a new run (which may call its endpoint once handed over), its steps, its output.
  {
    method: "POST",
    path: "/v1/checkpoint",
    auth: "gate",
    mayStore: RUN_EFFECTS,
    request: requests("POST", "gate", { path: "/v1/checkpoint", body: endpointRunBody, rareBody: checkpointFlood }),
  },
  {
    method: "POST",
    path: "/v1/checkpoint/:runId/steps",
    auth: "gate",
    mayStore: RUN_EFFECTS,
    request: requests("POST", "gate", { path: "/v1/checkpoint/:runId/steps", body: checkpointBody, rareBody: checkpointFlood }),
  },
  // Open: the run's output token (never forged here) stands in for credentials.
  {
    method: "GET",
    path: "/v1/http/runs/:runId/output",
    auth: "open",
    mayStore: [],
    request: requests("GET", "open", { path: "/v1/http/runs/:runId/output", queryNames: ["token"] }),
  },
  { method: "GET", path: "/v0/runs/:runId/actions", auth: "gate", mayStore: [], request: requests("GET", "gate", { path: "/v0/runs/:runId/actions" }) },
  { method: "GET", path: "/v0/runs/:runId/batch", auth: "gate", mayStore: [], request: requests("GET", "gate", { path: "/v0/runs/:runId/batch" }) },
  {
    method: "GET",
    path: "/v1/events",
    auth: "gate",
    mayStore: [],
    request: requests("GET", "gate", { path: "/v1/events", queryNames: ["name", "received_after", "received_before", "cursor", "limit", "field"] }),
  },
  { method: "GET", path: "/v1/events/:eventId", auth: "gate", mayStore: [], request: requests("GET", "gate", { path: "/v1/events/:eventId" }) },
  { method: "GET", path: "/v1/events/:eventId/runs", auth: "gate", mayStore: [], request: requests("GET", "gate", { path: "/v1/events/:eventId/runs" }) },
  { method: "GET", path: "/v1/runs/:runId", auth: "gate", mayStore: [], request: requests("GET", "gate", { path: "/v1/runs/:runId" }) },
  { method: "DELETE", path: "/v1/runs/:runId", auth: "gate", mayStore: RUN_EFFECTS, request: requests("DELETE", "gate", { path: "/v1/runs/:runId" }) },
  { method: "GET", path: "/v1/apps/:appId/functions", auth: "gate", mayStore: [], request: requests("GET", "gate", { path: "/v1/apps/:appId/functions" }) },
  {
    method: "POST",
    path: "/v1/cancellations",
    auth: "gate",
    mayStore: RUN_EFFECTS,
    request: requests("POST", "gate", { path: "/v1/cancellations", body: cancellationBody }),
  },
  // A signal resumes a waiting run (its steps, its end events); a shard answering "nobody waits" stores nothing.
  { method: "POST", path: "/v1/signals", auth: "gate", mayStore: RUN_EFFECTS, request: requests("POST", "gate", { path: "/v1/signals", body: signalBody }) },
  // Realtime stores nothing: a publish goes to whoever is subscribed, a token is signed, not kept.
  {
    method: "POST",
    path: "/v1/realtime/token",
    auth: "gate",
    mayStore: [],
    request: requests("POST", "gate", { path: "/v1/realtime/token", body: realtimeTokenBody }),
  },
  {
    method: "POST",
    path: "/v1/realtime/publish",
    auth: "gate",
    mayStore: [],
    request: requests("POST", "gate", { path: "/v1/realtime/publish", body: realtimePublishBody, queryNames: ["channel", "topic", "run_id"] }),
  },
  {
    method: "POST",
    path: "/v1/realtime/publish/tee",
    auth: "gate",
    mayStore: [],
    request: requests("POST", "gate", { path: "/v1/realtime/publish/tee", body: realtimePublishBody, queryNames: ["channel"] }),
  },
  // Features not served yet: each answers 404 naming it, and stores nothing.
  {
    method: "POST",
    path: "/v1/runs/:runId/metadata",
    auth: "gate",
    mayStore: [],
    request: requests("POST", "gate", {
      path: "/v1/runs/:runId/metadata",
      body: fc.constant({ target: { run_id: "01JZZZZZZZZZZZZZZZZZZZZZZZ" }, metadata: [{ kind: "userland.default", op: "set", values: { a: 1 } }] }),
    }),
  },
  {
    method: "POST",
    path: "/v1/traces/userland",
    auth: "gate",
    mayStore: [],
    request: requests("POST", "gate", { path: "/v1/traces/userland", body: fc.constant({ resourceSpans: [] }) }),
  },
  { method: "POST", path: "/v0/connect/start", auth: "gate", mayStore: [], request: requests("POST", "gate", { path: "/v0/connect/start" }) },
  { method: "POST", path: "/v0/connect/flush", auth: "gate", mayStore: [], request: requests("POST", "gate", { path: "/v0/connect/flush" }) },
  // Subscriptions check their token, not the gate; without a valid one (the fuzzer has none) they answer 401.
  {
    method: "GET",
    path: "/v1/realtime/connect",
    auth: "open",
    mayStore: [],
    request: requests("GET", "open", { path: "/v1/realtime/connect", queryNames: ["token"] }),
  },
  {
    method: "GET",
    path: "/v1/realtime/sse",
    auth: "open",
    mayStore: [],
    request: requests("GET", "open", { path: "/v1/realtime/sse", queryNames: ["token"] }),
  },
  {
    method: "GET",
    path: "/v0/events",
    auth: "gate",
    mayStore: [],
    request: requests("GET", "gate", { path: "/v0/events", queryNames: ["name", "field", "after", "before", "internal", "cursor", "limit"] }),
  },
  {
    method: "POST",
    path: "/v0/events",
    auth: "gate",
    mayStore: EVENT_EFFECTS,
    request: requests("POST", "gate", { path: "/v0/events", body: eventsBody, rareBody: eventFlood }),
  },
  {
    method: "GET",
    path: "/v0/runs",
    auth: "gate",
    mayStore: [],
    request: requests("GET", "gate", { path: "/v0/runs", queryNames: ["function_id", "app_id", "status", "after", "before", "cursor", "limit"] }),
  },
  { method: "GET", path: "/v0/runs/:runId", auth: "gate", mayStore: [], request: requests("GET", "gate", { path: "/v0/runs/:runId" }) },
  {
    method: "POST",
    path: "/v0/runs/:runId/rerun",
    auth: "gate",
    mayStore: [...RUN_EFFECTS, "d1:run_reruns"],
    request: requests("POST", "gate", { path: "/v0/runs/:runId/rerun", body: rerunBody }),
  },
  {
    method: "POST",
    path: "/v0/functions/:functionId/invoke",
    auth: "gate",
    mayStore: RUN_EFFECTS,
    request: (ctx) =>
      fc
        .tuple(requests("POST", "gate", { path: "/v0/functions/:functionId/invoke", body: invokeBody })(ctx), fc.constantFrom(...FUZZ_APP_IDS), fc.boolean())
        // Half the time a function the fuzzer may have registered, so invocations are accepted too.
        .map(([parts, app, known]) => (known ? { ...parts, path: parts.path.replace(/\/v0\/functions\/[^/]*\//, `/v0/functions/${app}-fn-0/`) } : parts)),
  },
  { method: "GET", path: "/api/v2/health", auth: "gate", mayStore: [], request: requests("GET", "gate", { path: "/api/v2/health" }) },
  {
    method: "GET",
    path: "/api/v2/runs",
    auth: "gate",
    mayStore: [],
    request: requests("GET", "gate", {
      path: "/api/v2/runs",
      queryNames: ["includeOutput", "cursor", "limit", "from", "until", "timeField", "order", "status", "appId", "functionId", "app_id"],
    }),
  },
  {
    method: "GET",
    path: "/api/v2/runs/:runId",
    auth: "gate",
    mayStore: [],
    request: requests("GET", "gate", { path: "/api/v2/runs/:runId", queryNames: ["includeOutput"] }),
  },
  {
    method: "GET",
    path: "/api/v2/runs/:runId/trace",
    auth: "gate",
    mayStore: [],
    request: requests("GET", "gate", { path: "/api/v2/runs/:runId/trace", queryNames: ["includeOutput", "include_output"] }),
  },
  {
    method: "GET",
    path: "/api/v2/events/:eventId/runs",
    auth: "gate",
    mayStore: [],
    request: requests("GET", "gate", { path: "/api/v2/events/:eventId/runs", queryNames: ["includeOutput", "cursor", "limit"] }),
  },
  {
    method: "GET",
    path: "/api/v2/apps/:appId/functions/:functionId/runs",
    auth: "gate",
    mayStore: [],
    request: requests("GET", "gate", { path: "/api/v2/apps/:appId/functions/:functionId/runs", queryNames: ["status", "limit", "cursor", "from", "until"] }),
  },
  {
    method: "POST",
    path: "/api/v2/runs/:runId/rerun",
    auth: "gate",
    mayStore: [...RUN_EFFECTS, "d1:run_reruns"],
    request: requests("POST", "gate", { path: "/api/v2/runs/:runId/rerun", body: v2RerunBody }),
  },
  {
    method: "POST",
    path: "/api/v2/runs/:runId/cancel",
    auth: "gate",
    mayStore: RUN_EFFECTS,
    request: requests("POST", "gate", { path: "/api/v2/runs/:runId/cancel" }),
  },
  {
    method: "GET",
    path: "/api/v2/apps",
    auth: "gate",
    mayStore: [],
    request: requests("GET", "gate", { path: "/api/v2/apps", queryNames: ["cursor", "limit", "archived"] }),
  },
  { method: "GET", path: "/api/v2/apps/:appId", auth: "gate", mayStore: [], request: requests("GET", "gate", { path: "/api/v2/apps/:appId" }) },
  {
    method: "GET",
    path: "/api/v2/apps/:appId/functions",
    auth: "gate",
    mayStore: [],
    request: requests("GET", "gate", { path: "/api/v2/apps/:appId/functions", queryNames: ["cursor", "limit"] }),
  },
  {
    method: "GET",
    path: "/api/v2/apps/:appId/functions/:functionId",
    auth: "gate",
    mayStore: [],
    request: requests("GET", "gate", { path: "/api/v2/apps/:appId/functions/:functionId" }),
  },
  {
    method: "POST",
    path: "/api/v2/apps/:appId/functions/:functionId/invoke",
    auth: "gate",
    mayStore: RUN_EFFECTS,
    request: (ctx) =>
      fc
        .tuple(
          requests("POST", "gate", { path: "/api/v2/apps/:appId/functions/:functionId/invoke", body: v2InvokeBody })(ctx),
          fc.constantFrom(...FUZZ_APP_IDS),
          fc.boolean(),
        )
        // Half the time a function the fuzzer may have registered, so invocations are accepted too.
        .map(([parts, app, known]) =>
          known ? { ...parts, path: parts.path.replace(/\/api\/v2\/apps\/[^/]*\/functions\/[^/]*\//, `/api/v2/apps/${app}/functions/fn-0/`) } : parts,
        ),
  },
  { method: "POST", path: "/v0/gql", auth: "gate", mayStore: [], request: requests("POST", "gate", { path: "/v0/gql", body: gqlBody }) },
  // MCP tools send events, invoke, rerun and cancel: whatever those routes may store.
  {
    method: "POST",
    path: "/mcp",
    auth: "gate",
    mayStore: [...EVENT_EFFECTS, "d1:run_reruns"],
    // MCP clients accept JSON and event streams; most requests say so, to reach the tools.
    request: (ctx) =>
      fc
        .tuple(requests("POST", "gate", { path: "/mcp", body: mcpBody })(ctx), fc.boolean())
        .map(([parts, accepts]) => (accepts ? { ...parts, headers: { Accept: "application/json, text/event-stream", ...parts.headers } } : parts)),
  },
  { method: "GET", path: "/mcp", auth: "gate", mayStore: [], request: requests("GET", "gate", { path: "/mcp" }) },
  { method: "DELETE", path: "/mcp", auth: "gate", mayStore: [], request: requests("DELETE", "gate", { path: "/mcp" }) },
  ...PAGES.map((path): FuzzRoute => ({ method: "GET", path, auth: "gate", mayStore: [], request: requests("GET", "gate", { path }) })),
  { method: "GET", path: "/_dashboard/app.js", auth: "open", mayStore: [], request: requests("GET", "open", { path: "/_dashboard/app.js" }) },
  { method: "GET", path: "/v0/events/:eventId/effects", auth: "gate", mayStore: [], request: requests("GET", "gate", { path: "/v0/events/:eventId/effects" }) },
  {
    method: "GET",
    path: "/v0/metrics",
    auth: "gate",
    mayStore: [],
    request: requests("GET", "gate", { path: "/v0/metrics", queryNames: ["function_id", "hours"] }),
  },
  { method: "GET", path: "/_dashboard/uplot.js", auth: "open", mayStore: [], request: requests("GET", "open", { path: "/_dashboard/uplot.js" }) },
  { method: "GET", path: "/_dashboard/app.css", auth: "open", mayStore: [], request: requests("GET", "open", { path: "/_dashboard/app.css" }) },
  { method: "GET", path: "/favicon.ico", auth: "open", mayStore: [], request: requests("GET", "open", { path: "/favicon.ico" }) },
  { method: "GET", path: "/login", auth: "open", mayStore: [], request: requests("GET", "open", { path: "/login", queryNames: ["next"] }) },
  {
    method: "POST",
    path: "/login",
    auth: "open",
    mayStore: [],
    request: requests("POST", "open", { path: "/login", rawBody: fc.oneof(loginForm, malformedOrHuge()) }),
  },
  { method: "POST", path: "/logout", auth: "open", mayStore: [], request: requests("POST", "open", { path: "/logout" }) },
];

/** Login bodies that are not forms: JSON, junk, a long key. */
function malformedOrHuge(): fc.Arbitrary<TextSpec> {
  return fc.constantFrom<TextSpec>('{"key":"x"}', "key", "%ff=%ed%a0%80", "", { repeat: { prefix: "key=", unit: "k", count: 100_000, suffix: "&next=/" } });
}

/** Every public route, keyed `METHOD /path` as Hono lists them. */
export const ROUTES: ReadonlyMap<string, FuzzRoute> = new Map(routeList.map((r) => [`${r.method} ${r.path}`, r]));

/** The key of requests that match no route: a method a path does not serve, or no such path. */
export const UNROUTED = "unrouted";

/** Requests no route serves: other methods on known paths, unknown paths, odd ones. */
function unrouted(ctx: FuzzContext): fc.Arbitrary<RequestSpec> {
  const paths = [...ROUTES.values()].map((r) => r.path.replace(/:[A-Za-z]+/g, "x"));
  return fc
    .record({
      method: fc.constantFrom("PUT", "PATCH", "OPTIONS", "HEAD", "DELETE", "POST", "GET"),
      path: fc.oneof(
        fc.constantFrom(...paths),
        fc.constantFrom(
          "/v2/events",
          "/e",
          "/e/",
          "/fn/register/",
          "//health",
          "/%2e%2e/health",
          "/v1/../v0/apps",
          "/api/inngest",
          "/e/k/extra",
          "/_dashboard/../v0/apps",
        ),
      ),
      creds: credentials(ctx, "gate"),
    })
    .map(({ method, path, creds }): RequestSpec => ({ route: UNROUTED, method, path, headers: creds.headers, authorized: true }));
}

/**
 * Hostile requests to any route and to no route at all. Routes that take a body or change
 * something are picked three times as often as reads, which have only a path and a query to vary.
 */
export function anyRequest(ctx: FuzzContext): fc.Arbitrary<RequestSpec> {
  return fc.oneof(
    ...[...ROUTES].map(([key, route]) => ({
      arbitrary: route.request(ctx).map((parts): RequestSpec => ({ route: key, method: route.method, ...parts })),
      weight: route.method === "GET" ? 1 : 3,
    })),
    { arbitrary: unrouted(ctx), weight: 2 },
  );
}

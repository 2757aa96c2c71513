/**
 * Request bodies for the fuzzer: a plausible body per kind of route, and the ways it is made
 * hostile (a field of the wrong type, a huge or surrogate-laden string, unknown fields, NaN where
 * a number goes, deep nesting, bytes that are not UTF-8, malformed or oversized JSON).
 * @module
 */
import fc from "fast-check";
import { MAX_EVENTS_PER_REQUEST, MAX_STEP_OUTPUT_BYTES } from "../../../src/constants";
import {
  deepJson,
  edgeNumberLiteral,
  expensiveExpression,
  hugeString,
  invalidUtf8,
  malformedJson,
  nastyString,
  oversizedBody,
  type TextSpec,
  wrongTypeJson,
} from "./fuzz-values";

/** Where fuzzed apps say they are served; the test's fetch stub answers every URL. */
export const FUZZ_APP_URL = "https://fuzz-app.example/api/inngest";

/** App ids the fuzzer registers under, so accepted syncs and later requests meet. */
export const FUZZ_APP_IDS = ["fuzz-app", "fuzz-app-2"] as const;

/** Event names fuzzed functions trigger on and fuzzed events carry. */
export const FUZZ_EVENT_NAMES = ["fuzz/evt", "fuzz/other", "fuzz/resume", "fuzz/cancel"] as const;

/** Where an app answers the server with a hostile answer of the kind its path names. */
export const HOSTILE_APP_ORIGIN = "https://hostile.example";

/** The hostile answers an app at {@link HOSTILE_APP_ORIGIN} gives; see the test's network stub. */
export const HOSTILE_ANSWERS = [
  "deep",
  "utf8",
  "surrogate",
  "huge",
  "html",
  "error",
  "unauthorized",
  "register-failed",
  "bad-config",
  "redirect",
  "unreachable",
] as const;

const appUrl = fc.oneof(
  { arbitrary: fc.constant(FUZZ_APP_URL), weight: 6 },
  { arbitrary: fc.constantFrom(...HOSTILE_ANSWERS).map((kind) => `${HOSTILE_APP_ORIGIN}/${kind}`), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      "http://127.0.0.1:3000/api/inngest",
      "http://localhost/api/inngest",
      "http://0.0.0.0/",
      "http://2130706433/",
      "http://[::1]:8288/",
      "http://169.254.169.254/latest/meta-data",
      "file:///etc/passwd",
      "javascript:alert(1)",
      "https://fuzz-app.example/api/inngest?deployId=1&probe=2",
      "https://user:pass@fuzz-app.example/",
      "https://fuzz-app.example:99999/",
      "//fuzz-app.example",
      "",
    ),
    weight: 3,
  },
  { arbitrary: nastyString, weight: 1 },
);

const eventData = fc.record(
  { x: fc.integer(), s: fc.string({ maxLength: 30 }), list: fc.array(fc.integer(), { maxLength: 5 }), nested: fc.jsonValue({ maxDepth: 3 }) },
  { requiredKeys: [] },
);

const event = fc.record(
  {
    name: fc.oneof(
      { arbitrary: fc.constantFrom(...FUZZ_EVENT_NAMES), weight: 4 },
      { arbitrary: fc.constantFrom("inngest/function.finished", "inngest/function.invoked", "", "fuzz/x"), weight: 1 },
    ),
    data: eventData,
    id: fc.string({ maxLength: 20 }),
    ts: fc.oneof(fc.integer({ min: 0, max: 4_200_000_000_000 }), fc.constantFrom(-1, 0, 1e20)),
    v: fc.string({ maxLength: 5 }),
  },
  { requiredKeys: ["name"] },
);

/** One event or a batch, as `POST /e/:key` and `POST /v0/events` take. */
export const eventsBody = fc.oneof(event, fc.array(event, { minLength: 0, maxLength: 4 }));

/**
 * Batches past MAX_EVENTS_PER_REQUEST (`count` + 1 events). None at the limit: the local queue
 * would take most of a minute to route its 5,000 events, holding up every later test.
 */
export const eventFlood = fc
  .constantFrom(MAX_EVENTS_PER_REQUEST, 100_000)
  .map((n): TextSpec => ({ repeat: { prefix: "[", unit: '{"name":"fuzz/flood"},', count: n, suffix: '{"name":"fuzz/flood"}]' } }));

const functionConfig = fc
  .record({
    n: fc.integer({ min: 0, max: 2 }),
    trigger: fc.constantFrom(...FUZZ_EVENT_NAMES),
    expression: fc.option(expensiveExpression, { nil: undefined }),
    cancelIf: fc.option(expensiveExpression, { nil: undefined }),
    concurrencyKey: fc.option(expensiveExpression, { nil: undefined }),
    name: fc.oneof({ arbitrary: fc.constant("fuzz function"), weight: 3 }, { arbitrary: nastyString, weight: 1 }),
  })
  .map(({ n, trigger, expression, cancelIf, concurrencyKey, name }) => (appId: string, url: string) => ({
    id: `${appId}-fn-${n}`,
    name,
    triggers: [expression === undefined ? { event: trigger } : { event: trigger, expression }],
    steps: { step: { id: "step", name: "step", runtime: { type: "http", url: `${url}?fnId=${appId}-fn-${n}&step=step` } } },
    ...(cancelIf === undefined ? {} : { cancel: [{ event: "fuzz/cancel", if: cancelIf }] }),
    ...(concurrencyKey === undefined ? {} : { concurrency: [{ limit: 1, key: concurrencyKey }] }),
  }));

/** The SDK's out-of-band sync body (`POST /fn/register`). */
export const registerBody = fc
  .record({ appName: fc.constantFrom(...FUZZ_APP_IDS), url: appUrl, functions: fc.array(functionConfig, { maxLength: 3 }) })
  .map(({ appName, url, functions }) => ({
    url,
    deployType: "ping",
    framework: "fuzz",
    appName,
    sdk: "js:v4.24.0",
    v: "0.1",
    functions: functions.map((fn) => fn(appName, typeof url === "string" ? url : FUZZ_APP_URL)),
  }));

/** `POST /v0/apps/sync`: the URL to sync from. */
export const syncBody = fc.record({ url: appUrl });

const op = fc.record(
  {
    id: fc.oneof(fc.stringMatching(/^[0-9a-f]{40}$/), nastyString),
    op: fc.constantFrom("StepRun", "Step", "StepPlanned", "Sleep", "WaitForEvent", "InvokeFunction", "StepError", "StepFailed", "RunComplete", "Nope", ""),
    name: fc.string({ maxLength: 10 }),
    data: fc.jsonValue({ maxDepth: 3 }),
    opts: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    error: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ["id", "op"] },
);

/** Checkpoints of very many steps, or of one step with an output past MAX_STEP_OUTPUT_BYTES. */
export const checkpointFlood = fc.constantFrom<TextSpec>(
  {
    repeat: {
      prefix: '{"steps":[',
      unit: '{"id":"s#","op":"StepRun","data":{"n":#}},',
      count: 20_000,
      suffix: '{"id":"last","op":"StepRun"}]}',
      numbered: true,
    },
  },
  { repeat: { prefix: '{"steps":[', unit: '{"id":"same","op":"Sleep","name":"1h"},', count: 5_000, suffix: '{"id":"same","op":"StepRun"}]}' } },
  { repeat: { prefix: '{"steps":[{"id":"big","op":"StepRun","data":"', unit: "x", count: MAX_STEP_OUTPUT_BYTES + 1, suffix: '"}]}' } },
);

/** Syncs of very many functions (distinct ids), or of one function with very many triggers or steps. */
export const registerFlood = fc.constantFrom<TextSpec>(
  {
    repeat: {
      prefix: `{"url":"${FUZZ_APP_URL}","deployType":"ping","framework":"fuzz","appName":"fuzz-flood","sdk":"js:v4.24.0","v":"0.1","functions":[`,
      unit: `{"id":"fuzz-flood-f#","name":"f#","triggers":[{"event":"fuzz/flood"}],"steps":{"step":{"id":"step","name":"step","runtime":{"type":"http","url":"${FUZZ_APP_URL}"}}}},`,
      count: 3_000,
      suffix: `{"id":"fuzz-flood-last","name":"last","triggers":[{"event":"fuzz/flood"}],"steps":{"step":{"id":"step","name":"step","runtime":{"type":"http","url":"${FUZZ_APP_URL}"}}}}]}`,
      numbered: true,
    },
  },
  {
    repeat: {
      prefix: `{"url":"${FUZZ_APP_URL}","deployType":"ping","framework":"fuzz","appName":"fuzz-flood","sdk":"js:v4.24.0","v":"0.1","functions":[{"id":"fuzz-flood-many","name":"many","triggers":[`,
      unit: '{"event":"fuzz/t#","expression":"event.data.x == #"},',
      count: 10_000,
      suffix: '{"event":"fuzz/last"}],"steps":{}}]}',
      numbered: true,
    },
  },
  {
    repeat: {
      prefix: `{"url":"${FUZZ_APP_URL}","deployType":"ping","framework":"fuzz","appName":"fuzz-flood","sdk":"js:v4.24.0","v":"0.1","functions":[{"id":"fuzz-flood-steps","name":"steps","triggers":[{"event":"fuzz/flood"}],"steps":{`,
      unit: `"s#":{"id":"s#","name":"s#","runtime":{"type":"http","url":"${FUZZ_APP_URL}"}},`,
      count: 20_000,
      suffix: '"last":{"id":"last","name":"last","runtime":{"type":"http","url":"https://x.example"}}}}]}',
      numbered: true,
    },
  },
);

/** A v4 SDK's async checkpoint (`POST /v1/checkpoint/:runId/async`). */
export const checkpointBody = fc.record({ run_id: fc.string({ maxLength: 26 }), steps: fc.array(op, { maxLength: 4 }) }, { requiredKeys: ["steps"] });

/** `POST /v1/checkpoint`: a durable endpoint's new run, its request described plausibly or not. */
export const endpointRunBody = fc.record(
  {
    run_id: fc.oneof(fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/), fc.string({ maxLength: 26 })),
    event: fc.record(
      {
        name: fc.constantFrom("inngest/http.request", "other"),
        data: fc.record(
          {
            domain: fc.oneof(
              fc.constantFrom("https://fuzz-app.example", "http://127.0.0.1:9", "ftp://x", "https://a/b", "http://a b", "http://[", ""),
              nastyString,
            ),
            path: fc.oneof(fc.constantFrom("/", "/api/x", "x", `/${"p".repeat(9_000)}`), nastyString),
            method: fc.oneof(fc.constantFrom("GET", "POST", "get", "", "X".repeat(40)), nastyString),
            query_params: fc.oneof(fc.constantFrom("a=1&b=2", "%ff", ""), nastyString),
            body: fc.oneof(fc.constantFrom('{"a":1}', ""), nastyString),
            content_type: fc.constantFrom("application/json", "", "text/plain"),
            fn: fc.oneof(fc.constant(""), nastyString),
          },
          { requiredKeys: ["domain", "path", "method"] },
        ),
      },
      { requiredKeys: ["data"] },
    ),
    steps: fc.array(op, { maxLength: 3 }),
    ts: fc.integer(),
    request_version: fc.constantFrom(1, 2, -1),
    retries: fc.integer({ min: -5, max: 100 }),
  },
  { requiredKeys: ["run_id", "event"] },
);

const time = fc.oneof(
  fc.constantFrom("2020-01-01T00:00:00Z", "1", "-1", "0", "9999-12-31T23:59:59Z", "+010000-01-01T00:00:00Z", "2999-01-01T00:00:00Z", "yesterday"),
  fc.integer({ min: 0, max: 2_000_000_000_000 }).map(String),
);

/** `POST /v1/cancellations`. */
export const cancellationBody = fc.record(
  {
    app_id: fc.constantFrom(...FUZZ_APP_IDS, "nope"),
    function_id: fc.constantFrom("fn-0", "fuzz-app-fn-0", "fn-9"),
    started_before: time,
    started_after: time,
    if: expensiveExpression,
  },
  { requiredKeys: ["app_id", "function_id", "started_before"] },
);

/** `POST /v1/signals`: a signal name (usually nobody waits for it) and any data. */
export const signalBody = fc.record(
  { signal: fc.oneof(fc.constantFrom("fuzz-signal", ""), fc.string({ maxLength: 40 })), data: eventData },
  { requiredKeys: ["signal"] },
);

/** `POST /v1/realtime/token`: the SDK's list of `{ channel, name, kind }`, usually of one channel. */
export const realtimeTokenBody = fc.array(
  fc.record(
    {
      channel: fc.oneof(fc.constant("fuzz-channel"), fc.string({ maxLength: 300 })),
      name: fc.oneof(fc.constantFrom("status", ""), fc.string({ maxLength: 40 })),
      kind: fc.constant("run"),
    },
    { requiredKeys: ["channel", "name"] },
  ),
  { maxLength: 12 },
);

/** `POST /v1/realtime/publish`: any message data. */
export const realtimePublishBody = eventData;

/** `POST /v0/runs/:runId/rerun`. */
export const rerunBody = fc.record({ from_step: fc.string({ maxLength: 20 }) }, { requiredKeys: [] });

/** `POST /v0/functions/:functionId/invoke`. */
export const invokeBody = fc.record({ data: eventData }, { requiredKeys: [] });

/** Marks the value a mutation replaces with raw text; not a string any generator makes. */
const HOLE = "\u0001hole\u0001";
const HOLE_JSON = JSON.stringify(HOLE);

/** A path into a JSON value: object keys and array indexes. */
type Path = (string | number)[];

/** Every path into `value` down to `depth` levels, plus a new key on each object met. */
function pathsOf(value: unknown, depth = 5, at: Path = []): Path[] {
  if (depth === 0 || typeof value !== "object" || value === null) return [];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : [...Object.keys(value), "unexpected", "__proto__"];
  return keys.flatMap((key) => [[...at, key], ...pathsOf((value as Record<string | number, unknown>)[key], depth - 1, [...at, key])]);
}

/** `value` with the value at `path` replaced by `hole` (a copy; `value` is left as it was). */
function withAt(value: unknown, path: Path, hole: unknown): unknown {
  if (path.length === 0) return hole;
  const [key, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  // Own data property, even for "__proto__", so that it is sent as a key.
  Object.defineProperty(copy, key!, { value: withAt(copy[key!], rest, hole), enumerable: true, writable: true, configurable: true });
  return copy;
}

/** `value` as JSON with the value at `path` replaced by a hole, split around it. */
function splitAt(value: unknown, path: Path): [string, string] {
  const text = JSON.stringify(withAt(value, path, HOLE));
  const at = text.indexOf(HOLE_JSON);
  return [text.slice(0, at), text.slice(at + HOLE_JSON.length)];
}

/** The ways a plausible body `base` is made hostile, each as the text (or bytes) sent. */
export function hostileBody(base: fc.Arbitrary<unknown>): fc.Arbitrary<TextSpec> {
  // A hole anywhere in the body: at the top, or deep inside (a trigger's expression, a step's URL).
  const withHole = base.chain((value) => {
    const paths = pathsOf(value);
    return paths.length === 0 ? fc.constant<[string, string]>(["", ""]) : fc.constantFrom(...paths).map((path) => splitAt(value, path));
  });
  return fc.oneof(
    { arbitrary: base.map((v) => JSON.stringify(v) ?? ""), weight: 40 },
    { arbitrary: fc.tuple(withHole, wrongTypeJson).map(([[a, b], raw]) => a + raw + b), weight: 40 },
    { arbitrary: fc.tuple(withHole, edgeNumberLiteral).map(([[a, b], raw]) => a + raw + b), weight: 20 },
    // JSON.stringify writes a lone surrogate as a `\udXXX` escape, which parses back unpaired.
    { arbitrary: fc.tuple(withHole, nastyString).map(([[a, b], s]) => a + JSON.stringify(s) + b), weight: 30 },
    {
      arbitrary: fc.tuple(withHole, hugeString).map(([[a, b], huge]): TextSpec => ({ repeat: { ...huge.repeat, prefix: `${a}"`, suffix: `"${b}` } })),
      weight: 10,
    },
    {
      arbitrary: base.map((v) => JSON.stringify(Array.isArray(v) ? v : { ...(v as object), __proto__x: 1, "": null, constructor: { prototype: 1 } })),
      weight: 10,
    },
    { arbitrary: deepJson, weight: 20 },
    { arbitrary: malformedJson, weight: 30 },
    { arbitrary: invalidUtf8, weight: 20 },
    { arbitrary: fc.constantFrom("", " ", "null", "[]", "{}", '""'), weight: 20 },
    // About one body in 300 is over every route's cap: each is built at 10 MB.
    { arbitrary: oversizedBody, weight: 1 },
  );
}

/** `POST /api/v2/runs/:runId/rerun`. */
export const v2RerunBody = fc.record(
  {
    fromStep: fc.record(
      { stepId: fc.oneof(fc.constantFrom("step", ""), fc.string({ maxLength: 20 })), input: fc.array(fc.jsonValue(), { maxLength: 2 }) },
      { requiredKeys: ["stepId"] },
    ),
  },
  { requiredKeys: [] },
);

/** `POST /api/v2/apps/:appId/functions/:functionId/invoke`. */
export const v2InvokeBody = fc.record({ data: eventData, idempotencyKey: fc.string({ maxLength: 10 }) }, { requiredKeys: [] });

/** Queries `POST /v0/gql` is sent: the SDK tests' own, costly ones, and broken ones. */
const gqlQuery = fc.oneof(
  fc.constantFrom(
    "{ stream(query: {limit: 999, includeInternalEvents: true}) { id trigger runs { id status function { name app { functions { id } } } } } }",
    "query Events($query: EventsQuery!) { events(query: $query) { id name payload raw status totalRuns functionRuns { id output } } }",
    "query ($runId: String!) { run(runID: $runId) { status output trace(preview: true) { status outputID childrenSpans { name stepType outputID } } } }",
    "query ($o: String!) { runTraceSpanOutputByID(outputID: $o) { data error { name message stack cause } } }",
    "query ($id: ULID!) { eventV2(id: $id) { idempotencyKey name raw runs { id trace { name } } } }",
    "query ($r: String!) { runTrace(runID: $r) { name } runTrigger(runID: $r) { IDs payloads } }",
    "{ apps { id functions { id app { id functions { slug } } } } functions { id config } }",
    "{ __schema { types { name fields { name type { name ofType { name ofType { name } } } } } } }",
    "{ run(",
    "{ ...F } fragment F on Query { ...F }",
    "subscription { x }",
    "mutation { x }",
  ),
  fc.string({ maxLength: 40 }),
);

/** `POST /v0/gql`. */
export const gqlBody = fc.record(
  {
    query: gqlQuery,
    variables: fc.record(
      {
        runId: fc.string({ maxLength: 26 }),
        o: fc.string({ maxLength: 40 }),
        id: fc.string({ maxLength: 26 }),
        r: fc.string({ maxLength: 26 }),
        query: fc.record({ lastEventId: fc.string({ maxLength: 26 }) }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    ),
    operationName: fc.constantFrom("Events", "nope"),
  },
  { requiredKeys: ["query"] },
);

const MCP_TOOLS = [
  "health",
  "get_apps",
  "get_app",
  "list_functions",
  "get_function",
  "invoke_function",
  "list_runs",
  "list_function_runs",
  "get_run",
  "get_run_trace",
  "get_event_runs",
  "rerun",
  "cancel_run",
  "send_event",
  // Inngest's older tools; not invoke_function_sync, which waits up to 30 s for a run to end.
  "get_run_status",
  "poll_run_status",
  "nope",
];

/** JSON-RPC messages `POST /mcp` is sent: the protocol's own, and tool calls with odd arguments. */
export const mcpBody = fc.oneof(
  fc.constant({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "fuzz", version: "1" } },
  }),
  fc.constant({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
  fc.constant({ jsonrpc: "2.0", method: "notifications/initialized" }),
  fc.record({
    jsonrpc: fc.constant("2.0"),
    id: fc.oneof(fc.integer(), fc.string({ maxLength: 5 })),
    method: fc.constant("tools/call"),
    params: fc.record({
      name: fc.constantFrom(...MCP_TOOLS),
      arguments: fc.record(
        {
          runId: fc.string({ maxLength: 26 }),
          runIds: fc.array(fc.string({ maxLength: 26 }), { maxLength: 2 }),
          appId: fc.constantFrom(...FUZZ_APP_IDS, "x"),
          functionId: fc.constantFrom("fn-0", "x"),
          eventId: fc.string({ maxLength: 26 }),
          name: fc.constantFrom(...FUZZ_EVENT_NAMES),
          data: eventData,
          limit: fc.integer(),
          status: fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 }),
        },
        { requiredKeys: [] },
      ),
    }),
  }),
  fc.record({ jsonrpc: fc.constantFrom("2.0", "1.0"), id: fc.integer(), method: fc.string({ maxLength: 12 }) }),
);

/**
 * `/v0/gql`, through the Worker's fetch handler, with the queries the inngest-js repository's
 * test helpers send to a dev server (packages/inngest/src/test/helpers.ts, test/integration,
 * packages/test-harness), checked field by field against Inngest's dev-server schema
 * (pkg/coreapi/gql.*.graphql), plus the cost limits.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCHEDULER_NAME } from "../../src/cron/heartbeat";
import { GQL_MAX_DEPTH, GQL_MAX_FIELDS } from "../../src/constants";
import { workerFetch } from "./helpers/worker";
import { seedToolsHistory, type ToolsSeed } from "./helpers/tools-seed";

const T0 = Date.UTC(2020, 7, 1);
const iso = (ms: number) => new Date(ms).toISOString();

let seed: ToolsSeed;

beforeAll(async () => {
  seed = await seedToolsHistory("gql-app", T0);
});

afterAll(async () => {
  await runInDurableObject(env.SCHEDULER.getByName(SCHEDULER_NAME), (_instance, state) => state.storage.deleteAlarm());
});

interface GqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string }[];
  error?: string;
}

async function gql(body: unknown): Promise<{ status: number; body: GqlAnswer }> {
  const res = await workerFetch("/v0/gql", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as GqlAnswer };
}

describe("the SDK repository's queries", () => {
  it("Events (receivedEventWithName): id, name and payload of every event", async () => {
    const res = await gql({
      query: `query Events($query: EventsQuery!) {\n  events(query: $query) {\n    id\n    name\n    payload\n  }\n}`,
      variables: { query: {} },
      operationName: "Events",
    });
    expect(res.status).toBe(200);
    const events = res.body.data!.events as { id: string; name: string; payload: string }[];
    const order = events.find((e) => e.id === seed.order.internalId);
    expect(order).toEqual({
      id: seed.order.internalId,
      name: "tools/order",
      payload: JSON.stringify({ id: seed.order.internalId, name: "tools/order", data: { userId: 42 }, ts: T0, user: {} }),
    });
  });

  it("GetEventStream (eventRunWithName): the stream with each event's runs and their function names", async () => {
    const res = await gql({
      query: `query GetEventStream {
        stream(query: {limit: 999, includeInternalEvents: false}) {
          id
          trigger
          runs {
            id
            function {
              name
            }
          }
        }
      }`,
      variables: {},
      operationName: "GetEventStream",
    });
    expect(res.status).toBe(200);
    const stream = res.body.data!.stream as { id: string }[];
    expect(stream.find((i) => i.id === seed.order.internalId)).toEqual({
      id: seed.order.internalId,
      trigger: "tools/order",
      runs: [
        { id: seed.completedRun, function: { name: "ship function" } },
        { id: seed.failedRun, function: { name: "bill function" } },
      ],
    });
  });

  it("GetRunTimeline (runHasTimeline): the trace with steps by name, type, attempts, output id and status", async () => {
    const res = await gql({
      query: `query GetRunTimeline($runId: String!) {
          run(runID: $runId) {
            trace(preview: true) {
              name
              stepType
              attempts
              outputID
              status
              childrenSpans {
                name
                stepType
                attempts
                outputID
                status
                childrenSpans {
                  name
                  stepType
                  attempts
                  outputID
                  status
                }
              }
            }
          }
        }`,
      variables: { runId: seed.failedRun },
      operationName: "GetRunTimeline",
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        run: {
          trace: {
            name: "Run",
            stepType: "",
            attempts: null,
            outputID: seed.failedRun,
            status: "FAILED",
            childrenSpans: [{ name: "charge", stepType: "RUN", attempts: 3, outputID: `${seed.failedRun}:h3`, status: "FAILED", childrenSpans: [] }],
          },
        },
      },
    });
  });

  it("GetRunTimelineOutput (TimelineItem.getOutput): a step's data as JSON text, or its error", async () => {
    const query = `query GetRunTimelineOutput($outputId: String!) {
          runTraceSpanOutputByID(outputID: $outputId) {
            data
            error {
              name
              message
              stack
              cause
            }
          }
        }`;
    const ok = await gql({ query, variables: { outputId: `${seed.completedRun}:h1` }, operationName: "GetRunTimelineOutput" });
    expect(ok.body).toEqual({ data: { runTraceSpanOutputByID: { data: '"boxed"', error: null } } });
    const failed = await gql({ query, variables: { outputId: `${seed.failedRun}:h3` }, operationName: "GetRunTimelineOutput" });
    expect(failed.body).toEqual({
      data: { runTraceSpanOutputByID: { data: null, error: { name: "Error", message: "card declined", stack: "Error: card declined", cause: null } } },
    });
  });

  it("the test harness's run result: status and output id of the trace, then the run's output", async () => {
    const res = await gql({
      query: `query ($runId: String!) {
        run(runID: $runId) {
          status
          trace(preview: true) {
            status
            outputID
          }
        }
      }`,
      variables: { runId: seed.completedRun },
    });
    expect(res.body).toEqual({ data: { run: { status: "COMPLETED", trace: { status: "COMPLETED", outputID: seed.completedRun } } } });
    const output = await gql({
      query: `query ($traceID: String!) { runTraceSpanOutputByID(outputID: $traceID) { data error { message name } } }`,
      variables: { traceID: seed.completedRun },
    });
    expect(output.body).toEqual({ data: { runTraceSpanOutputByID: { data: JSON.stringify({ shipped: true }), error: null } } });
    expect((await gql({ query: `query ($r: String!) { run(runID: $r) { id } }`, variables: { r: "01ARZ3NDEKTSV4RRFFQ69G5FAV" } })).body).toEqual({
      data: { run: null },
    });
  });

  it("the test harness's trace metadata fragment: names, step and span ids, metadata", async () => {
    const res = await gql({
      query: `fragment TraceMetadataFields on RunTraceSpan {
        name
        stepID
        spanID
        metadata {
          scope
          kind
          values
          updatedAt
        }
      }

      query ($runId: String!) {
        run(runID: $runId) {
          trace(preview: true) {
            ...TraceMetadataFields
            childrenSpans {
              ...TraceMetadataFields
              childrenSpans {
                ...TraceMetadataFields
              }
            }
          }
        }
      }`,
      variables: { runId: seed.completedRun },
    });
    expect(res.body).toEqual({
      data: {
        run: {
          trace: {
            name: "Run",
            stepID: null,
            spanID: seed.completedRun,
            metadata: [],
            childrenSpans: [
              { name: "pack", stepID: "h1", spanID: `${seed.completedRun}:h1`, metadata: [], childrenSpans: [] },
              { name: "wait", stepID: "h2", spanID: `${seed.completedRun}:h2`, metadata: [], childrenSpans: [] },
            ],
          },
        },
      },
    });
  });

  it("Event (fetchEvent): eventV2's idempotency key, name and raw JSON", async () => {
    const res = await gql({
      query: `query Event($id: ULID!) {
          eventV2(id: $id) {
            idempotencyKey
            name
            raw
          }
        }`,
      variables: { id: seed.order.internalId },
      operationName: "Event",
    });
    expect(res.body).toEqual({
      data: {
        eventV2: {
          idempotencyKey: seed.order.internalId,
          name: "tools/order",
          raw: JSON.stringify({ id: seed.order.internalId, name: "tools/order", data: { userId: 42 }, ts: T0, user: {} }),
        },
      },
    });
  });
});

describe("other fields of the schema", () => {
  it("apps with their functions and triggers; an event's status and run counts", async () => {
    const res = await gql({
      query: `{ apps { id name sdkLanguage sdkVersion url functionCount functions { slug name triggers { type value condition } } }
        event(query: { eventId: "${seed.order.internalId}" }) { status totalRuns pendingRuns createdAt functionRuns { id status } } }`,
    });
    expect(res.status).toBe(200);
    expect((res.body.data!.apps as { id: string }[]).find((a) => a.id === "gql-app")).toEqual({
      id: "gql-app",
      name: "gql-app",
      sdkLanguage: "js",
      sdkVersion: "4.24.0",
      url: "http://tools.test/api",
      functionCount: 2,
      functions: [
        { slug: "gql-app-bill", name: "bill function", triggers: [{ type: "CRON", value: "0 9 * * *", condition: null }] },
        { slug: "gql-app-ship", name: "ship function", triggers: [{ type: "EVENT", value: "tools/order", condition: "event.data.vip" }] },
      ],
    });
    expect((await gql({ query: "{ apps(filter: { method: CONNECT }) { id } }" })).body).toEqual({ data: { apps: [] } });
    const older = await gql({ query: `{ stream(query: { before: "${seed.other.internalId}", limit: 1 }) { id } }` });
    expect(older.body).toEqual({ data: { stream: [{ id: seed.order.internalId }] } });
    expect(res.body.data!.event).toEqual({
      status: "PARTIALLY_FAILED",
      totalRuns: 2,
      pendingRuns: 0,
      createdAt: iso(T0),
      functionRuns: [
        { id: seed.completedRun, status: "COMPLETED" },
        { id: seed.failedRun, status: "FAILED" },
      ],
    });
  });
});

describe("refusals", () => {
  it("answers 400 with GraphQL `errors` and stepflare's `error` for bad documents and unknown fields", async () => {
    for (const body of [{ query: "{ run(" }, { query: "{ nope }" }, { query: 5 }, { query: "query ($r: String!) { run(runID: $r) { id } }", variables: {} }]) {
      const res = await gql(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors?.length, JSON.stringify(body)).toBeGreaterThan(0);
      expect(typeof res.body.error).toBe("string");
    }
  });

  it("refuses queries nested deeper than GQL_MAX_DEPTH or wider than GQL_MAX_FIELDS", async () => {
    const nested = (levels: number) => `{ runTrace(runID: "${seed.completedRun}") { ${"childrenSpans { ".repeat(levels)} name ${"} ".repeat(levels)} } }`;
    const ok = await gql({ query: nested(GQL_MAX_DEPTH - 3) });
    expect(ok.status).toBe(200);
    const deep = await gql({ query: nested(GQL_MAX_DEPTH) });
    expect(deep.status).toBe(400);
    expect(deep.body.error).toContain(`at most ${GQL_MAX_DEPTH}`);
    const aliases = Array.from({ length: GQL_MAX_FIELDS + 1 }, (_, i) => `a${i}: functions { id }`).join(" ");
    const wide = await gql({ query: `{ ${aliases} }` });
    expect(wide.status).toBe(400);
    expect(wide.body.error).toContain(`more than ${GQL_MAX_FIELDS}`);
    // Fragments spreading fragments are counted at every spread, so they cannot hide their size.
    const fragments = Array.from({ length: 8 }, (_, i) => `fragment F${i} on Query { ${i === 7 ? "functions { id }" : `...F${i + 1} `.repeat(4)} }`).join("\n");
    const spread = await gql({ query: `{ ...F0 }\n${fragments}` });
    expect(spread.status).toBe(400);
  });

  it("answers a resolver's error next to the data that did resolve", async () => {
    const res = await gql({ query: `{ runTraceSpanOutputByID(outputID: "not-an-id") { data } }` });
    expect(res.status).toBe(200);
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.[0]?.message).toContain("not an output id");
  });
});

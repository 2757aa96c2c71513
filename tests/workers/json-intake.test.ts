/**
 * Hostile JSON at intake (issue 8): every public route that takes JSON refuses a body nested
 * deeper than MAX_JSON_DEPTH, or one whose bytes are not UTF-8, with a 400 JSON error naming the
 * problem, and stores nothing; a body over its cap gets a 413 before it is read whole.
 */
import { describe, expect, it } from "vitest";
import { MAX_CHECKPOINT_BODY_BYTES, MAX_JSON_DEPTH, MAX_SYNC_BODY_BYTES } from "../../src/constants";
import { installFetchRouter } from "./helpers/app-fetch";
import { countRows } from "./helpers/d1";
import { eventsInHistory } from "./helpers/event-shards";
import { workerFetch } from "./helpers/worker";

/** `{"a":{"a":...{}...}}` with `depth` objects. */
function nested(depth: number): string {
  return '{"a":'.repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
}

/** A body for each route with `value` where the route takes free-form JSON. */
const ROUTES: { path: string; body: (value: string) => string }[] = [
  { path: "/e/test-key", body: (v) => `{"name":"deep/x","data":${v}}` },
  { path: "/v0/events", body: (v) => `{"name":"deep/x","data":${v}}` },
  { path: "/v0/functions/deep-app-fn/invoke", body: (v) => `{"data":${v}}` },
  {
    path: "/v1/cancellations",
    body: (v) =>
      `{"app_id":"a","function_id":"f","started_after":"2020-01-01T00:00:00Z","started_before":"2030-01-01T00:00:00Z","if":${JSON.stringify("true")},"x":${v}}`,
  },
  { path: "/v1/signals", body: (v) => `{"signal":"deep","data":${v}}` },
  { path: "/v0/apps/sync", body: (v) => `{"url":"http://app.test/api/inngest","x":${v}}` },
  { path: "/fn/register", body: (v) => `{"url":"http://app.test/api/inngest","appName":"deep","functions":[],"x":${v}}` },
  { path: "/v1/checkpoint/01HZZZZZZZZZZZZZZZZZZZZZZZ/async", body: (v) => `{"steps":[{"id":"s","op":"StepRun","data":${v}}]}` },
];

async function post(path: string, body: BodyInit, headers: Record<string, string> = {}) {
  const res = await workerFetch(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { status: res.status, body: (await res.json()) as { error: string; status: number; ids?: string[] } };
}

async function storedCounts() {
  await eventsInHistory();
  return { events: await countRows("events"), apps: await countRows("apps"), runs: await countRows("runs") };
}

describe("JSON nesting depth at intake", () => {
  for (const depth of [1_000, 10_000]) {
    for (const route of ROUTES) {
      it(`${route.path} refuses a value ${depth} levels deep with 400`, async () => {
        const before = await storedCounts();
        const { status, body } = await post(route.path, route.body(nested(depth)));
        expect(status).toBe(400);
        expect(body.status).toBe(400);
        expect(body.error).toContain(`nested deeper than ${MAX_JSON_DEPTH} levels`);
        if (route.path.startsWith("/e/")) expect(body.ids).toEqual([]);
        expect(await storedCounts()).toEqual(before);
      });
    }
  }

  it("accepts an event just within the limit, and refuses one level more", async () => {
    // The body's top object and `data` itself take two levels.
    const within = await post("/e/test-key", `{"name":"deep/ok","data":${nested(MAX_JSON_DEPTH - 1)}}`);
    expect(within.status).toBe(200);
    const over = await post("/e/test-key", `{"name":"deep/ok","data":${nested(MAX_JSON_DEPTH)}}`);
    expect(over.status).toBe(400);
  });

  it("does not count brackets inside strings", async () => {
    const res = await post("/e/test-key", JSON.stringify({ name: "deep/str", data: { s: "[{".repeat(5_000), q: '\\"[[' } }));
    expect(res.status).toBe(200);
  });
});

describe("strict UTF-8 at intake", () => {
  // "é" as Latin-1: one byte 0xE9 that no UTF-8 sequence allows there.
  const bad = (text: string) => {
    const [head, tail] = text.split("\u0000");
    const enc = new TextEncoder();
    return new Uint8Array([...enc.encode(head), 0xe9, ...enc.encode(tail)]);
  };

  for (const route of ROUTES) {
    it(`${route.path} refuses bytes that are not UTF-8 with 400`, async () => {
      const before = await storedCounts();
      const { status, body } = await post(route.path, bad(route.body('{"s":"caf\u0000"}')));
      expect(status).toBe(400);
      expect(body.error).toBe("request body is not valid UTF-8");
      expect(await storedCounts()).toEqual(before);
    });
  }

  it("still accepts valid multi-byte UTF-8 split across chunks", async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ name: "utf8/ok", data: { s: "€😀".repeat(10_000) } }));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.byteLength; i += 1_001) controller.enqueue(bytes.subarray(i, i + 1_001));
        controller.close();
      },
    });
    const res = await post("/e/test-key", stream);
    expect(res.status).toBe(200);
  });
});

describe("body caps on the register and checkpoint routes", () => {
  for (const [path, max] of [
    ["/fn/register", MAX_SYNC_BODY_BYTES],
    ["/v1/checkpoint/01HZZZZZZZZZZZZZZZZZZZZZZZ/async", MAX_CHECKPOINT_BODY_BYTES],
  ] as const) {
    it(`${path} refuses a streamed body over ${max} bytes once it passes the cap`, async () => {
      const chunk = new Uint8Array(1024 * 1024).fill(0x20);
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent > max * 3) return controller.close();
          sent += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });
      const { status, body } = await post(path, stream);
      expect(status).toBe(413);
      expect(body).toEqual({ status: 413, error: `request body is over ${max} bytes; the limit is ${max} bytes` });
      expect(sent).toBeLessThan(max * 2);
    });
  }
});

describe("an app's in-band sync answer", () => {
  const router = installFetchRouter();
  const answers: Record<string, () => Response> = {
    deep: () => new Response(`{"app_id":"deep-sync","x":${nested(1_000)}}`, { headers: { "x-inngest-sync-kind": "in_band" } }),
    latin1: () => new Response(new Uint8Array([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]), { headers: { "x-inngest-sync-kind": "in_band" } }),
  };
  for (const [name, answer] of Object.entries(answers)) {
    it(`refuses an answer that is ${name === "deep" ? "nested too deeply" : "not UTF-8"}, storing no app`, async () => {
      router.route(`http://${name}-sync.test`, answer);
      const before = await storedCounts();
      const { status, body } = await post("/v0/apps/sync", JSON.stringify({ url: `http://${name}-sync.test/api/inngest` }));
      expect(status).toBe(400);
      expect(body.error).toContain(name === "deep" ? `nested deeper than ${MAX_JSON_DEPTH} levels` : "not valid UTF-8");
      expect(body.error).toMatch(/^the app at http:\/\/.*-sync\.test\/api\/inngest answered the sync with a body/);
      expect(await storedCounts()).toEqual(before);
    });
  }
});

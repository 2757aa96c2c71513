/**
 * Production sizes through the real dev server and the official SDK: a child run's output too
 * large for its `inngest/function.finished` event reaches the parent's `step.invoke` by
 * reference, and an ingest body declared over the cap is refused with 413 before any of it is
 * sent (a body that turns out over the cap while streaming is covered in
 * tests/workers/body-limit.test.ts).
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_REQUEST_BODY_BYTES, MAX_SYSTEM_EVENT_VALUE_BYTES } from "../../src/constants";
import { devClient, serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { sendEvents, syncApp, waitForEndedRuns } from "./harness/server-api";
import { waitFor } from "./harness/wait";

let server: DevServer;
let app: TestApp;
/** The child's output: about 1.2 MB of three-byte characters, far over what an end event carries. */
const LENGTH = 400_000;

beforeAll(async () => {
  server = await startDevServer();
  const inngest = devClient("e2e-sizes", server.url);
  const child = inngest.createFunction({ id: "big-child", triggers: [] }, async ({ event }) => "€".repeat((event.data as { n: number }).n));
  const parent = inngest.createFunction({ id: "big-parent", triggers: { event: "sizes/parent" } }, async ({ event, step }) => {
    const out = await step.invoke("call-child", { function: child, data: { n: event.data.n as number } });
    return { length: out.length, allEuros: /^€*$/.test(out) };
  });
  app = await serveApp(inngest, [child, parent]);
  await syncApp(server.url, app.url);
});

afterAll(async () => {
  await app?.close();
  await server?.dispose();
});

interface ListedEvent {
  name: string;
  data: { run_id?: string; result?: unknown; _inngest?: { status: string; omitted?: { result?: number } } };
}

describe("a run output too large for its end event", () => {
  it("is left out of inngest/function.finished and still reaches the parent's step.invoke", async () => {
    const [id] = await sendEvents(server.url, { name: "sizes/parent", data: { n: LENGTH } });
    const [run] = await waitForEndedRuns(server.url, id!, 1, 120_000);
    expect(run!.status).toBe("Completed");
    expect(run!.output).toEqual({ length: LENGTH, allEuros: true });

    const finished = await waitFor(
      async () => {
        const res = await fetch(`${server.url}/v0/events?internal=1&name=inngest/function.finished&limit=100`);
        const events = ((await res.json()) as { data: ListedEvent[] }).data;
        return events.find((e) => e.data._inngest?.omitted?.result !== undefined);
      },
      60_000,
      "the child's finished event",
    );
    expect(finished.data.result).toBeNull();
    expect(finished.data._inngest!.omitted!.result).toBeGreaterThan(MAX_SYSTEM_EVENT_VALUE_BYTES);
    expect(finished.data._inngest!.omitted!.result).toBe(Buffer.byteLength(JSON.stringify("€".repeat(LENGTH))));
  }, 180_000);
});

/**
 * POSTs a request that declares a `Content-Length` of `declared` bytes but sends none of them,
 * and reads the answer. The server refuses such a body without reading it; a client that went on
 * writing the whole body would race the closing connection and could see EPIPE instead.
 */
function postDeclaringOnly(url: string, declared: number): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", "content-length": String(declared) } });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.flushHeaders();
  });
}

describe("the ingest body cap", () => {
  it("answers 413 in the event API's shape to a body over the cap, storing nothing", async () => {
    const declared = MAX_REQUEST_BODY_BYTES + 1;
    const res = await postDeclaringOnly(`${server.url}/e/test-key`, declared);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ ids: [], status: 413, error: expect.stringContaining(`the limit is ${MAX_REQUEST_BODY_BYTES} bytes`) });
    const listed = await fetch(`${server.url}/v0/events?limit=100`);
    expect(((await listed.json()) as { data: { name: string }[] }).data.filter((e) => e.name !== "sizes/parent")).toEqual([]);
  });
});

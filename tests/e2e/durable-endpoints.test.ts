/**
 * Durable endpoints end to end: the official v4 SDK's `inngest.endpoint` in a Node server, the dev
 * server in workerd. A request whose steps all run answers at once, and its run is in history
 * with its steps; one that sleeps is handed over (the caller is redirected to the run's output),
 * resumed by the server calling the endpoint, and its response read from the redirect — or
 * through the SDK's own output proxy; parallel steps are run one call each by the server; a step
 * that fails for good is thrown into the endpoint on the server's resuming call.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Inngest, NonRetriableError, step } from "inngest";
import { stream } from "inngest/experimental/durable-endpoints";
import { fetchWithStream } from "inngest/experimental/durable-endpoints/client";
import { endpointAdapter } from "inngest/node";
import { endpointAdapter as webEndpointAdapter } from "inngest/edge";
import { serveEndpoints, type EndpointApp, type WebHandler } from "./harness/endpoint-app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { waitFor } from "./harness/wait";

let server: DevServer;
let app: EndpointApp;
/** How many times each endpoint's steps ran, to show memoised steps are not run again. */
const ran = new Map<string, number>();
const count = (name: string) => ran.set(name, (ran.get(name) ?? 0) + 1);

beforeAll(async () => {
  server = await startDevServer();
  const inngest = new Inngest({ id: "e2e-endpoints", isDev: true, baseUrl: server.url, endpointAdapter });
  // `withOptions` changes the adapter it is called on, so the proxied client takes the other one
  // (whose proxy handler is also a Web API handler, as the bridge serves).
  const proxied = new Inngest({
    id: "e2e-endpoints-proxied",
    isDev: true,
    baseUrl: server.url,
    endpointAdapter: webEndpointAdapter.withOptions({ asyncRedirectUrl: "/poll" }),
  });
  app = await serveEndpoints({
    "/hello": inngest.endpoint(async (req) => {
      const name = new URL(req.url).searchParams.get("name") ?? "nobody";
      const greeting = await step.run("greet", () => (count("greet"), `hello ${name}`));
      const shout = await step.run("shout", () => greeting.toUpperCase());
      return Response.json({ greeting, shout });
    }),
    "/nap": inngest.endpoint(async (req) => {
      // The query, not the body: the SDK reads the body itself to record the request.
      const item = new URL(req.url).searchParams.get("item");
      const before = await step.run("before", () => (count("before"), `got ${item}`));
      await step.sleep("nap", "1s");
      const after = await step.run("after", () => `${before}, then slept`);
      return { before, after };
    }),
    "/fragile": inngest.endpoint(async () => {
      try {
        await step.run("boom", () => {
          throw new NonRetriableError("the widget is broken");
        });
        return { caught: null };
      } catch (err) {
        return { caught: err instanceof Error ? err.message : String(err) };
      }
    }),
    "/pair": inngest.endpoint(async () => {
      const [left, right] = await Promise.all([step.run("left", () => "L"), step.run("right", () => "R")]);
      return { pair: left + right };
    }),
    "/stream-nap": inngest.endpoint(async () => {
      // Pushed inside steps, so a replay on the server's resuming call does not push them again.
      const first = await step.run("first", () => (stream.push("before the nap"), "one"));
      await step.sleep("nap", "1s");
      const second = await step.run("second", () => (stream.push("after the nap"), "two"));
      return { first, second };
    }),
    "/proxied-nap": proxied.endpoint(async () => {
      await step.sleep("short", "1s");
      return { woke: true };
    }),
    "/poll": proxied.endpointProxy() as WebHandler,
  });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await server?.dispose();
});

interface RunDetail {
  run: { run_id: string; status: string; output: unknown };
  steps: { name: string; status: string }[];
  event: { name: string; data: { path: string; query_params: string } } | null;
}

/** The run of the endpoint `method path` with its steps, once history has it in `status`. */
async function runOf(method: string, path: string, status: string): Promise<RunDetail> {
  const functionId = `${app.origin}-${method} ${path}`;
  return waitFor(
    async () => {
      const list = (await (await fetch(`${server.url}/v0/runs?function_id=${encodeURIComponent(functionId)}`)).json()) as {
        data: { run_id: string; status: string }[];
      };
      const run = list.data.find((r) => r.status === status);
      if (!run) return undefined;
      return ((await (await fetch(`${server.url}/v0/runs/${run.run_id}`)).json()) as { data: RunDetail }).data;
    },
    30_000,
    `a ${status} run of ${functionId} in history`,
  );
}

/** The response's text when its status is not `expected`, so a failure shows what came instead. */
async function expectStatus(res: Response, expected: number): Promise<void> {
  if (res.status !== expected) expect(`${res.status} ${await res.text()}`).toBe(String(expected));
}

describe("durable endpoints", () => {
  it("runs every step in the request, answers at once, and records the run with its steps", async () => {
    const res = await fetch(`${app.origin}/hello?name=ada`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ greeting: "hello ada", shout: "HELLO ADA" });
    const { run, steps, event } = await runOf("GET", "/hello", "Completed");
    expect(event).toMatchObject({ name: "inngest/http.request", data: { path: "/hello", query_params: "name=ada" } });
    expect(steps.map((s) => [s.name, s.status]).sort()).toEqual([
      ["greet", "completed"],
      ["shout", "completed"],
    ]);
    expect(run.output).toMatchObject({ status: 200 });
  });

  it("hands a sleeping request over: the server resumes the endpoint and the caller reads its output", async () => {
    const res = await fetch(`${app.origin}/nap?item=tea`, { method: "POST", redirect: "manual" });
    await expectStatus(res, 302);
    const location = res.headers.get("location")!;
    expect(location).toMatch(new RegExp(`^${server.url}/v1/http/runs/[0-9A-Z]{26}/output\\?token=`));
    const output = await fetch(location);
    await expectStatus(output, 200);
    expect(await output.json()).toEqual({ before: "got tea", after: "got tea, then slept" });
    // The step before the sleep ran once: the resumed request replayed its memo.
    expect(ran.get("before")).toBe(1);
    const { steps } = await runOf("POST", "/nap", "Completed");
    expect(steps.map((s) => s.name).sort()).toEqual(["after", "before", "nap"]);
    const forged = await fetch(location.replace(/token=[0-9a-f]+/, `token=${"0".repeat(64)}`));
    expect(forged.status).toBe(401);
  });

  it("lets the SDK's own proxy fetch a resumed endpoint's output", async () => {
    const res = await fetch(`${app.origin}/proxied-nap`, { redirect: "manual" });
    await expectStatus(res, 302);
    const location = new URL(res.headers.get("location")!);
    expect(location.origin + location.pathname).toBe(`${app.origin}/poll`);
    const output = await fetch(location);
    await expectStatus(output, 200);
    expect(await output.json()).toEqual({ woke: true });
  });

  it("hands parallel steps over: the server runs each through the endpoint, then completes it", async () => {
    const res = await fetch(`${app.origin}/pair`, { redirect: "manual" });
    await expectStatus(res, 302);
    const output = await fetch(res.headers.get("location")!);
    await expectStatus(output, 200);
    expect(await output.json()).toEqual({ pair: "LR" });
  });

  it("throws a step that failed for good into the endpoint when the server resumes it", async () => {
    const res = await fetch(`${app.origin}/fragile`, { redirect: "manual" });
    await expectStatus(res, 302);
    const output = await fetch(res.headers.get("location")!);
    expect(await output.json()).toEqual({ caught: "the widget is broken" });
  });

  it("streams a handed-over endpoint to the SDK's fetchWithStream: chunks before and after the sleep, then the result", async () => {
    const chunks: unknown[] = [];
    const runIds: string[] = [];
    const res = await fetchWithStream(`${app.origin}/stream-nap`, {
      onData: ({ data }) => chunks.push(data),
      onMetadata: ({ runId }) => runIds.push(runId),
    });
    await expectStatus(res, 200);
    expect(await res.json()).toEqual({ first: "one", second: "two" });
    expect(chunks).toEqual(["before the nap", "after the nap"]);
    // The endpoint's own stream and each of the server's calls name the same run.
    expect(new Set(runIds.map((id) => id.toUpperCase())).size).toBe(1);
    const { steps } = await runOf("GET", "/stream-nap", "Completed");
    expect(steps.map((s) => s.name).sort()).toEqual(["first", "nap", "second"]);
  });

  it("gives fetchWithStream the result of a handed-over endpoint that never pushes", async () => {
    const chunks: unknown[] = [];
    const res = await fetchWithStream(`${app.origin}/nap?item=jam`, { fetchOpts: { method: "POST" }, onData: ({ data }) => chunks.push(data) });
    await expectStatus(res, 200);
    expect(await res.json()).toEqual({ before: "got jam", after: "got jam, then slept" });
    expect(chunks).toEqual([]);
  });
});

import { createServer, type Server } from "node:http";
import { createDefer } from "inngest/experimental";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevServerInfo } from "inngest/types";
import { version as PACKAGE_VERSION } from "../../package.json";
import { devClient, serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { sendEvents, syncApp, waitForEndedRuns } from "./harness/server-api";

/** The API key the app hands `step.ai.infer`; it must reach the provider and nothing else. */
const KEY = "sk-e2e-provider-key-0123456789";

let server: DevServer;
let app: TestApp;
/** A local provider speaking OpenAI chat completions: fails the first request of each prompt with a 500. */
let provider: Server;
let providerUrl: string;
const providerCalls: Array<{ path: string; auth: string | undefined; body: { model: string; messages: Array<{ content: string }> } }> = [];

beforeAll(async () => {
  provider = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      const body = JSON.parse(raw) as (typeof providerCalls)[number]["body"];
      providerCalls.push({ path: req.url ?? "", auth: req.headers.authorization, body });
      const prompt = body.messages[0]?.content ?? "";
      if (providerCalls.filter((c) => c.body.messages[0]?.content === prompt).length === 1) {
        res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `overloaded (key ${KEY})`, type: "server_error" } }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          id: "chatcmpl-e2e",
          object: "chat.completion",
          model: body.model,
          choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: `echo: ${prompt}` } }],
          usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
        }),
      );
    });
  });
  await new Promise<void>((r) => provider.listen(0, "127.0.0.1", r));
  providerUrl = `http://127.0.0.1:${(provider.address() as { port: number }).port}/v1/`;

  server = await startDevServer();
  const inngest = devClient("e2e-sdk-ops", server.url);
  const later = createDefer(inngest, { id: "later" }, async () => "deferred ran");
  const functions = [
    later,
    inngest.createFunction({ id: "ask-ai", triggers: { event: "ops/ask" } }, async ({ event, step }) => {
      const model = step.ai.models.openai({ model: "gpt-test", apiKey: KEY, baseUrl: providerUrl });
      // A step before the inference: the v4 SDK runs it and reaches step.ai.infer in the same request.
      const prompt = await step.run("prompt", () => event.data.prompt as string);
      const res = await step.ai.infer("ask", { model, body: { messages: [{ role: "user", content: prompt }] } });
      const answer = await step.run("after", () => res.choices[0]?.message.content);
      return { answer, usage: res.usage?.total_tokens };
    }),
    inngest.createFunction({ id: "deferrer", triggers: { event: "ops/defer" }, retries: 0 }, async ({ step, defer }) => {
      defer("follow-up", { function: later, data: { n: 1 } });
      return step.run("work", () => "done");
    }),
  ];
  app = await serveApp(inngest, functions);
  await syncApp(server.url, app.url);
});

afterAll(async () => {
  await app?.close();
  await server?.dispose();
  await new Promise((r) => provider?.close(r));
});

describe("step.ai.infer", () => {
  it("makes the inference request from the server, retries a provider error and stores the answer without the key", async () => {
    const prompt = `hello ${Date.now()}`;
    const [id] = await sendEvents(server.url, { name: "ops/ask", data: { prompt } });
    const [run] = await waitForEndedRuns(server.url, id!, 1, 120_000);
    expect(run).toMatchObject({ status: "Completed", output: { answer: `echo: ${prompt}`, usage: 5 } });

    const calls = providerCalls.filter((c) => c.body.messages[0]?.content === prompt);
    expect(calls).toHaveLength(2);
    for (const call of calls) expect(call).toMatchObject({ path: "/v1/chat/completions", auth: `Bearer ${KEY}`, body: { model: "gpt-test" } });

    // History: the step took two attempts and stored the provider's answer; the key is nowhere.
    const timelineText = await (await fetch(`${server.url}/v0/runs/${run!.run_id}`)).text();
    expect(timelineText).not.toContain(KEY);
    const timeline = JSON.parse(timelineText) as { data: { steps: Array<{ name: string; op: string; attempts: number; output: unknown }> } };
    expect(timeline.data.steps.find((s) => s.name === "ask")).toMatchObject({
      op: "AIGateway",
      attempts: 2,
      output: { object: "chat.completion", choices: [{ message: { content: `echo: ${prompt}` } }] },
    });
    const restRun = await (await fetch(`${server.url}/v1/runs/${run!.run_id}`)).text();
    expect(restRun).not.toContain(KEY);
  }, 150_000);
});

describe("features stepflare does not support", () => {
  it("ends a run using defer() with UnsupportedFeature instead of dropping the deferred call", async () => {
    const [id] = await sendEvents(server.url, { name: "ops/defer" });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run!.status).toBe("Failed");
    expect(run!.error).toMatchObject({ name: "UnsupportedFeature", code: "unsupported_feature" });
    expect(run!.error!.message).toContain("defer()");
  });
});

describe("GET /dev", () => {
  it("answers in the shape of the SDK's DevServerInfo: this server's start options and the synced functions", async () => {
    const info = (await (await fetch(`${server.url}/dev`)).json()) as DevServerInfo;
    // The harness starts the server with --no-discovery and no -u; the app was synced by the test.
    expect(info).toMatchObject({ version: PACKAGE_VERSION, authed: false, startOpts: { autodiscover: false, urls: [] }, handlers: [] });
    expect(info.functions.map((f) => f.id)).toEqual(expect.arrayContaining(["e2e-sdk-ops-ask-ai", "e2e-sdk-ops-deferrer"]));
  });
});

import { createServer, type Server } from "node:http";
import { createDefer, metadataMiddleware } from "inngest/experimental";
import type { Inngest } from "inngest";
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
let inngest: Inngest;
/**
 * A local provider speaking three formats by path: OpenAI chat completions (failing the first
 * request of each prompt with a 500), Anthropic messages and Gemini generateContent.
 */
let provider: Server;
let providerUrl: string;
interface ProviderCall {
  path: string;
  auth: string | undefined;
  apiKey: string | undefined;
  anthropicVersion: string | undefined;
  body: { model?: string; max_tokens?: number; messages?: Array<{ content: string }>; contents?: Array<{ parts: Array<{ text: string }> }> };
}
const providerCalls: ProviderCall[] = [];

/** The prompt of a provider request, whatever its format. */
const promptOf = (body: ProviderCall["body"]) => body.messages?.[0]?.content ?? body.contents?.[0]?.parts[0]?.text ?? "";

/** The provider's answer to `call`, in the format its path names. */
function providerAnswer(call: ProviderCall): { status: number; body: unknown } {
  const prompt = promptOf(call.body);
  const path = new URL(call.path, "http://provider").pathname;
  if (path === "/v1/messages") {
    return {
      status: 200,
      body: {
        id: "msg-e2e",
        type: "message",
        role: "assistant",
        model: call.body.model,
        content: [{ type: "text", text: `claude: ${prompt}` }],
        stop_reason: "end_turn",
        usage: { input_tokens: 4, output_tokens: 3 },
      },
    };
  }
  if (path === "/v1/models/gemini-test:generateContent") {
    return {
      status: 200,
      body: {
        candidates: [{ content: { role: "model", parts: [{ text: `gemini: ${prompt}` }] }, finishReason: "STOP", index: 0 }],
        usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 3, totalTokenCount: 7 },
      },
    };
  }
  if (providerCalls.filter((c) => promptOf(c.body) === prompt).length === 1) {
    return { status: 500, body: { error: { message: `overloaded (key ${KEY})`, type: "server_error" } } };
  }
  return {
    status: 200,
    body: {
      id: "chatcmpl-e2e",
      object: "chat.completion",
      model: call.body.model,
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: `echo: ${prompt}` } }],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    },
  };
}

beforeAll(async () => {
  provider = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      const header = (name: string) => req.headers[name] as string | undefined;
      const call: ProviderCall = {
        path: req.url ?? "",
        auth: header("authorization"),
        apiKey: header("x-api-key"),
        anthropicVersion: header("anthropic-version"),
        body: JSON.parse(raw) as ProviderCall["body"],
      };
      providerCalls.push(call);
      const answer = providerAnswer(call);
      res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => provider.listen(0, "127.0.0.1", r));
  providerUrl = `http://127.0.0.1:${(provider.address() as { port: number }).port}/v1/`;

  server = await startDevServer();
  // metadataMiddleware: `inngest.metadata` is experimental in the v4 SDK.
  inngest = devClient("e2e-sdk-ops", server.url, { middleware: [metadataMiddleware()] });
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
    inngest.createFunction({ id: "ask-claude", triggers: { event: "ops/ask-claude" } }, async ({ event, step }) => {
      const model = step.ai.models.anthropic({ model: "claude-test", apiKey: KEY, baseUrl: providerUrl, defaultParameters: { max_tokens: 64 } });
      const res = await step.ai.infer("ask", { model, body: { messages: [{ role: "user", content: event.data.prompt as string }] } });
      const first = res.content[0];
      return { answer: first?.type === "text" ? first.text : null, usage: res.usage.output_tokens };
    }),
    inngest.createFunction({ id: "ask-gemini", triggers: { event: "ops/ask-gemini" } }, async ({ event, step }) => {
      const model = step.ai.models.gemini({ model: "gemini-test", apiKey: KEY, baseUrl: providerUrl });
      const res = await step.ai.infer("ask", { model, body: { contents: [{ role: "user", parts: [{ text: event.data.prompt as string }] }] } });
      const part = res.candidates?.[0]?.content.parts[0];
      return { answer: part && "text" in part ? part.text : null, usage: res.usageMetadata?.totalTokenCount };
    }),
    inngest.createFunction({ id: "tagger", triggers: { event: "ops/tag" }, retries: 0 }, async ({ step }) => {
      // Inside a step, the SDK attaches the metadata to the step's op rather than calling the API.
      return step.run("tag", async () => {
        await inngest.metadata.set({ stage: "tagged" });
        return "tagged";
      });
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

    const calls = providerCalls.filter((c) => promptOf(c.body) === prompt);
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

  it("speaks Anthropic's format to an anthropic() model: the key as x-api-key, the answer stored as the step's output", async () => {
    const prompt = `claude ${Date.now()}`;
    const [id] = await sendEvents(server.url, { name: "ops/ask-claude", data: { prompt } });
    const [run] = await waitForEndedRuns(server.url, id!, 1, 60_000);
    expect(run).toMatchObject({ status: "Completed", output: { answer: `claude: ${prompt}`, usage: 3 } });
    const calls = providerCalls.filter((c) => promptOf(c.body) === prompt);
    expect(calls).toEqual([
      expect.objectContaining({
        path: "/v1/messages",
        auth: undefined,
        apiKey: KEY,
        anthropicVersion: "2023-06-01",
        body: expect.objectContaining({ model: "claude-test", max_tokens: 64 }),
      }),
    ]);
    const timelineText = await (await fetch(`${server.url}/v0/runs/${run!.run_id}`)).text();
    expect(timelineText).not.toContain(KEY);
    const timeline = JSON.parse(timelineText) as { data: { steps: Array<{ name: string; op: string; output: unknown }> } };
    expect(timeline.data.steps.find((s) => s.name === "ask")).toMatchObject({
      op: "AIGateway",
      output: { type: "message", content: [{ text: `claude: ${prompt}` }] },
    });
  }, 90_000);

  it("speaks Gemini's format to a gemini() model: the key as the key query parameter, kept out of history", async () => {
    const prompt = `gemini ${Date.now()}`;
    const [id] = await sendEvents(server.url, { name: "ops/ask-gemini", data: { prompt } });
    const [run] = await waitForEndedRuns(server.url, id!, 1, 60_000);
    expect(run).toMatchObject({ status: "Completed", output: { answer: `gemini: ${prompt}`, usage: 7 } });
    const calls = providerCalls.filter((c) => promptOf(c.body) === prompt);
    expect(calls).toHaveLength(1);
    const url = new URL(calls[0]!.path, "http://provider");
    expect(url.pathname).toBe("/v1/models/gemini-test:generateContent");
    expect(url.searchParams.get("key")).toBe(KEY);
    expect(calls[0]!.auth).toBeUndefined();
    // The SDK puts the key in the provider URL it names; the server keeps it out of history.
    const timelineText = await (await fetch(`${server.url}/v0/runs/${run!.run_id}`)).text();
    expect(timelineText).not.toContain(KEY);
    expect(timelineText).toContain(`gemini: ${prompt}`);
  }, 90_000);
});

describe("features stepflare does not support", () => {
  it("ends a run using defer() with UnsupportedFeature instead of dropping the deferred call", async () => {
    const [id] = await sendEvents(server.url, { name: "ops/defer" });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run!.status).toBe("Failed");
    expect(run!.error).toMatchObject({ name: "UnsupportedFeature", code: "unsupported_feature" });
    expect(run!.error!.message).toContain("defer()");
  });

  it("refuses run metadata sent to the API by name: the SDK throws the server's error", async () => {
    // From outside any run (or outside a step), the SDK posts metadata to /v1/runs/:id/metadata.
    await expect(inngest.metadata.run("01JZZZZZZZZZZZZZZZZZZZZZZZ").set({ stage: "late" })).rejects.toThrow(
      /Failed to update metadata: run metadata .* is not supported by stepflare yet/,
    );
  });

  it("runs a step whose op carries metadata, and says in the server's log that the metadata is not stored", async () => {
    const [id] = await sendEvents(server.url, { name: "ops/tag" });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run).toMatchObject({ status: "Completed", output: "tagged" });
    // Said once, for the one SDK answer (or checkpoint) that carried it, naming the run.
    const line = `stepflare: run ${run!.run_id}: the metadata of step "tag" is not stored: run and step metadata is not supported by stepflare yet`;
    expect(server.output().split(line).length - 1).toBe(1);
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

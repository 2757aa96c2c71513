import { createServer, type IncomingMessage, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_FETCH_RESPONSE_BYTES } from "../../src/constants";
import type { Op } from "../../src/protocol/ops";
import { AiGateway, performAiRequest } from "../../src/runner/ai-gateway";
import { aiRequestOf, providerRequest, type AiRequest } from "../../src/runs/ai-request";
import type { CallOutcome } from "../../src/runs/decide";

const DEV = { allowPrivate: true };
const PROD = { allowPrivate: false };
const KEY = "sk-test-0123456789abcdef";

/** A provider on loopback: answers what the test queues, and records each request it got. */
let server: Server;
let base: string;
type Seen = { method: string; url: string; headers: IncomingMessage["headers"]; body: string };
const seen: Seen[] = [];
let answers: Array<{ status: number; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const next = answers.shift() ?? { status: 200, body: "{}" };
      res.writeHead(next.status, { "content-type": "application/json" }).end(next.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
  answers = [];
});

const aiOp = (opts: Record<string, unknown>, id = "ai-1"): Op => ({ id, op: "AIGateway", userland: { id: "ask" }, opts: { type: "step.ai.infer", ...opts } });
const request = (over: Partial<AiRequest> = {}): AiRequest => {
  const r = aiRequestOf(aiOp({ url: `${base}/v1/chat/completions`, auth_key: KEY, format: "openai-chat", body: { model: "m", messages: [] } }));
  if ("invalid" in r) throw new Error(r.invalid);
  return { ...r, ...over };
};

describe("the provider request for each format", () => {
  it("sends OpenAI-compatible formats a bearer token", () => {
    const r = providerRequest(request());
    expect(r).toMatchObject({ method: "POST", url: `${base}/v1/chat/completions`, body: '{"model":"m","messages":[]}' });
    expect(r.headers).toEqual({ "content-type": "application/json", authorization: `Bearer ${KEY}` });
  });

  it("sends Anthropic the key as x-api-key, with the SDK's own headers", () => {
    const r = aiRequestOf(
      aiOp({
        url: "https://api.anthropic.com/v1/messages",
        auth_key: KEY,
        format: "anthropic",
        headers: { "anthropic-version": "2023-06-01" },
        body: { max_tokens: 5 },
      }),
    );
    if ("invalid" in r) throw new Error(r.invalid);
    expect(providerRequest(r).headers).toEqual({ "content-type": "application/json", "x-api-key": KEY, "anthropic-version": "2023-06-01" });
  });

  it("sends Gemini the key as the key query parameter, once", () => {
    const url = `https://generativelanguage.googleapis.com/v1beta/models/gemini-pro:generateContent?key=${KEY}`;
    const r = aiRequestOf(aiOp({ url, auth_key: KEY, format: "gemini", headers: {}, body: { contents: [] } }));
    if ("invalid" in r) throw new Error(r.invalid);
    const sent = providerRequest(r);
    expect(new URL(sent.url).searchParams.getAll("key")).toEqual([KEY]);
    expect(sent.headers).toEqual({ "content-type": "application/json" });
  });

  it("lets the op's headers override the defaults", () => {
    expect(providerRequest(request({ headers: { Authorization: "Custom abc" } })).headers["authorization"]).toBe("Custom abc");
  });

  it("refuses an op without an http(s) URL", () => {
    expect(aiRequestOf(aiOp({ auth_key: KEY }))).toEqual({ invalid: "names no provider URL" });
    expect(aiRequestOf(aiOp({ url: "file:///etc/passwd" }))).toEqual({ invalid: "needs an http(s) provider URL" });
  });
});

describe("performAiRequest against a local provider", () => {
  it("stores the provider's JSON answer as the step output", async () => {
    const completion = { id: "chatcmpl-1", object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "hi" } }] };
    answers.push({ status: 200, body: JSON.stringify(completion) });
    const outcome = await performAiRequest("ai-1", request(), DEV);
    expect(outcome).toEqual({ kind: "ops", noRetry: false, ops: [{ id: "ai-1", op: "StepRun", data: completion }] });
    expect(seen).toEqual([expect.objectContaining({ method: "POST", url: "/v1/chat/completions", body: '{"model":"m","messages":[]}' })]);
    expect(seen[0]!.headers["authorization"]).toBe(`Bearer ${KEY}`);
  });

  it.each([500, 429, 400, 401])("reports a %i as a retriable AIGatewayError with the answer, the key redacted", async (status) => {
    answers.push({ status, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}` } }) });
    const outcome = await performAiRequest("ai-1", request(), DEV);
    expect(outcome).toEqual({
      kind: "ops",
      noRetry: false,
      ops: [
        {
          id: "ai-1",
          op: "StepError",
          error: {
            name: "AIGatewayError",
            code: "ai_gateway_error",
            message: `Error making AI request: unsuccessful status code: ${status}`,
            data: { error: { message: "Incorrect API key provided: [redacted]" } },
          },
        },
      ],
    });
  });

  it("reports a provider it cannot reach as a retriable AIGatewayError that names no key", async () => {
    const gemini = request({ url: `http://127.0.0.1:1/v1beta/models/g:generateContent?key=${KEY}`, format: "gemini" });
    const outcome = await performAiRequest("ai-1", gemini, DEV);
    expect(outcome).toMatchObject({ noRetry: false, ops: [{ op: "StepError", error: { name: "AIGatewayError" } }] });
    expect(JSON.stringify(outcome)).not.toContain(KEY);
  });

  it("refuses a private provider URL in production mode without a request or a retry", async () => {
    const outcome = await performAiRequest("ai-1", request({ url: `${base}/v1/chat/completions?key=${KEY}` }), PROD);
    expect(outcome).toMatchObject({ noRetry: true, ops: [{ op: "StepError", error: { name: "PrivateUrlRefused" } }] });
    expect(JSON.stringify(outcome)).not.toContain(KEY);
    expect(seen).toEqual([]);
  });

  it("fails the step without a retry when the answer is over the output limit", async () => {
    answers.push({ status: 200, body: JSON.stringify({ text: "x".repeat(MAX_FETCH_RESPONSE_BYTES) }) });
    const outcome = await performAiRequest("ai-1", request(), DEV);
    expect(outcome).toMatchObject({ noRetry: true, ops: [{ op: "StepError", error: { name: "StepOutputTooLarge" } }] });
  });
});

describe("AiGateway: keys in memory, replayed when lost", () => {
  const sdkAnswer = (): CallOutcome => ({
    kind: "ops",
    noRetry: false,
    ops: [aiOp({ url: `${base}/v1/chat/completions`, auth_key: KEY, format: "openai-chat", body: { n: 1 } })],
  });
  const noReplay = (): Promise<CallOutcome> => Promise.reject(new Error("should not replay"));

  it("makes the request with the key it saw in the SDK's answer, without replaying", async () => {
    const gateway = new AiGateway(DEV);
    gateway.observe(sdkAnswer());
    answers.push({ status: 200, body: '{"ok":true}' });
    expect(await gateway.perform("ai-1", noReplay)).toMatchObject({ ops: [{ op: "StepRun", data: { ok: true } }] });
  });

  it("keeps the key for the retry after a failed attempt, and forgets it once the step has a result", async () => {
    const gateway = new AiGateway(DEV);
    gateway.observe(sdkAnswer());
    answers.push({ status: 503, body: "{}" }, { status: 200, body: '{"ok":2}' });
    expect(await gateway.perform("ai-1", noReplay)).toMatchObject({ ops: [{ op: "StepError" }] });
    expect(await gateway.perform("ai-1", noReplay)).toMatchObject({ ops: [{ op: "StepRun", data: { ok: 2 } }] });
    let replays = 0;
    await gateway.perform("ai-1", async () => {
      replays++;
      return { kind: "ops", noRetry: false, ops: [] };
    });
    expect(replays).toBe(1);
  });

  it("replays the function to get the key back after losing it (an evicted object)", async () => {
    const gateway = new AiGateway(DEV);
    answers.push({ status: 200, body: '{"ok":3}' });
    expect(await gateway.perform("ai-1", async () => sdkAnswer())).toMatchObject({ ops: [{ op: "StepRun", data: { ok: 3 } }] });
    expect(seen[0]!.headers["authorization"]).toBe(`Bearer ${KEY}`);
  });

  it("passes on a failed replay as the attempt's outcome, and fails the step when the op is gone", async () => {
    const gateway = new AiGateway(DEV);
    const down: CallOutcome = { kind: "unreachable", error: { name: "AppUnreachable", message: "refused" } };
    expect(await gateway.perform("ai-1", async () => down)).toBe(down);
    const gone = await gateway.perform("ai-1", async () => ({ kind: "ops", noRetry: false, ops: [] }));
    expect(gone).toMatchObject({ noRetry: true, ops: [{ op: "StepError", error: { name: "AIGatewayError" } }] });
    expect(seen).toEqual([]);
  });
});

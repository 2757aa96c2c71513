/**
 * `step.ai.infer` in the RunObject with the official SDK in-process (see run-object.test.ts for
 * the set-up): the server calls the provider itself, retries a failed attempt, and keeps the
 * request's key out of its storage, getting it back from the SDK after the object was evicted.
 */
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installFetchRouter, sdkHandler } from "./helpers/app-fetch";
import { rows } from "./helpers/d1";
import { clearAlarm, driveToEnd, evict, objectRows, runAlarm, runStart, runStub, skipBackoff } from "./helpers/runs";
import { waitFor } from "./helpers/wait";

const APP_ID = "ai";
const APP_URL = "http://app.test/api/inngest";
const KEY = "sk-ant-workers-key-0123456789";

let router: ReturnType<typeof installFetchRouter>;
const started: string[] = [];
/** The provider answers these statuses in turn (then 200). */
let statuses: number[] = [];
const providerSeen: Array<{ key: string | null; version: string | null; body: unknown }> = [];

beforeAll(() => {
  router = installFetchRouter();
  const client = new Inngest({ id: APP_ID });
  const functions = [
    client.createFunction({ id: "claude", triggers: [{ event: "ai/ask" }] }, async ({ step }) => {
      const model = step.ai.models.anthropic({ model: "claude-test", apiKey: KEY, baseUrl: "http://ai.test/v1/", defaultParameters: { max_tokens: 16 } });
      const res = await step.ai.infer("ask-claude", { model, body: { max_tokens: 16, messages: [{ role: "user", content: "hi" }] } });
      const block = res.content[0];
      return block?.type === "text" ? block.text : null;
    }),
  ];
  router.route("http://app.test", sdkHandler(client, functions));
  // An Anthropic-format provider: the Messages API answer, after whatever failures the test queues.
  router.route("http://ai.test", async (request) => {
    providerSeen.push({ key: request.headers.get("x-api-key"), version: request.headers.get("anthropic-version"), body: await request.json() });
    const status = statuses.shift() ?? 200;
    if (status !== 200) return Response.json({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, { status });
    return Response.json({
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "claude-test",
      content: [{ type: "text", text: "hello from claude" }],
      stop_reason: "end_turn",
      usage: { input_tokens: 1, output_tokens: 3 },
    });
  });
});

afterAll(async () => {
  for (const runId of started) await clearAlarm(runId);
});

/** Everything the run's object stores, as text. */
async function storedText(runId: string): Promise<string> {
  const tables = await objectRows<{ name: string }>(runId, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'");
  const dump = await Promise.all(tables.map(async ({ name }) => [name, await objectRows(runId, `SELECT * FROM "${name}"`)]));
  return JSON.stringify(dump);
}

describe("step.ai.infer", () => {
  it("retries a failed inference, gets the key back from the SDK after eviction, and never stores it", async () => {
    statuses = [529];
    const input = runStart(APP_URL, APP_ID, "claude", "ai/ask");
    started.push(input.runId);
    const { runId } = input;
    await runStub(runId).start(input);

    // The first attempt reaches the provider, fails, and waits for its retry.
    await waitFor("the first inference attempt", async () => {
      await runAlarm(runId);
      const [call] = await objectRows<{ attempt: number; detail: string }>(runId, "SELECT attempt, detail FROM calls WHERE kind = 'gateway'");
      return providerSeen.length === 1 && call?.attempt === 1 ? call : undefined;
    });
    const [call] = await objectRows<{ detail: string }>(runId, "SELECT detail FROM calls WHERE kind = 'gateway'");
    expect(JSON.parse(call!.detail)).toEqual({ url: "http://ai.test/v1/messages", method: "POST", headers: {}, ai: "anthropic" });
    expect(await storedText(runId)).not.toContain(KEY);

    // Evicted during the backoff: the key is gone from memory, so the retry replays the function.
    await evict(runId);
    const mark = router.seen.length;
    await skipBackoff(runId);
    const { run } = await driveToEnd(runId);
    expect(run.status).toBe("completed");
    expect(await runStub(runId).result()).toBe(JSON.stringify({ output: "hello from claude" }));
    // One request to the app (the replay that brings the key back) came before the retry.
    const after = router.seen.slice(mark);
    const retryAt = after.findIndex((r) => r.url.startsWith("http://ai.test/"));
    expect(retryAt).toBeGreaterThan(0);
    expect(after.slice(0, retryAt).filter((r) => r.url.startsWith(APP_URL))).toHaveLength(1);

    expect(providerSeen).toHaveLength(2);
    for (const seen of providerSeen) {
      expect(seen).toEqual({ key: KEY, version: "2023-06-01", body: { model: "claude-test", max_tokens: 16, messages: [{ role: "user", content: "hi" }] } });
    }
    expect(await storedText(runId)).not.toContain(KEY);
    const history = await waitFor("the run's history", async () => {
      const steps = await rows<{ op: string; attempts: number; output: string | null }>("SELECT op, attempts, output FROM steps WHERE run_id = ?", runId);
      return steps.some((s) => s.attempts === 2 && s.output !== null) ? steps : undefined;
    });
    expect(history).toEqual(expect.arrayContaining([expect.objectContaining({ op: "AIGateway", attempts: 2 })]));
    expect(JSON.stringify(history)).not.toContain(KEY);
  }, 30_000);
});

/**
 * Defects the request fuzzer (fuzz.test.ts) found, each pinned by a plain request.
 *
 * A lone UTF-16 surrogate (`"\ud800"` in JSON) in invocation data or a checkpointed step output
 * was accepted; in production mode the run could then never be canonicalised into a signed call
 * request and retried forever. Events and syncs already refused it; now every JSON body does.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SCHEDULER_NAME } from "../../src/cron/heartbeat";
import { growth, storedCounts } from "./helpers/stored-counts";
import { workerFetch } from "./helpers/worker";

// The invoked run calls its app: answer as an SDK whose function completed, without the network.
beforeAll(() => {
  vi.spyOn(globalThis, "fetch").mockImplementation(async () => Response.json("done", { headers: { "X-Inngest-SDK": "js:v4.24.0" } }));
});
afterAll(async () => {
  vi.restoreAllMocks();
  await runInDurableObject(env.SCHEDULER.getByName(SCHEDULER_NAME), (_instance, state) => state.storage.deleteAlarm());
});

const APP_URL = "https://findings-app.example/api/inngest";

async function post(path: string, body: string): Promise<{ status: number; body: { error?: string; status?: number } }> {
  const res = await workerFetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body });
  expect(res.headers.get("content-type")).toContain("application/json");
  return { status: res.status, body: (await res.json()) as { error?: string; status?: number } };
}

describe("a lone UTF-16 surrogate in a JSON body", () => {
  it("is refused in invocation data, naming where, and nothing is stored", async () => {
    const fn = {
      id: "findings-app-f",
      name: "f",
      triggers: [{ event: "findings/x" }],
      steps: { step: { id: "step", name: "step", runtime: { type: "http", url: APP_URL } } },
    };
    const register = { url: APP_URL, deployType: "ping", framework: "test", appName: "findings-app", sdk: "js:v4.24.0", v: "0.1", functions: [fn] };
    expect((await post("/fn/register", JSON.stringify(register))).status).toBe(200);

    const before = await storedCounts();
    const res = await post("/v0/functions/findings-app-f/invoke", '{"data":{"note":"a\\ud800b"}}');
    expect(res).toEqual({ status: 400, body: { status: 400, error: expect.stringMatching(/^request body at data\.note contains a lone UTF-16 surrogate/) } });
    expect(growth(before, await storedCounts())).toEqual({});
    // The same data with the pair complete is an ordinary invocation.
    expect((await post("/v0/functions/findings-app-f/invoke", '{"data":{"note":"a\\ud83d\\ude00b"}}')).status).toBe(200);
  });

  it("is refused in a checkpointed step output before the run is asked", async () => {
    const res = await post("/v1/checkpoint/01JFINDINGS0000000000000000/async", '{"steps":[{"id":"s","op":"StepRun","data":{"\\udc00":1}}]}');
    // A run that does not exist would answer 409; the body is refused before it is reached.
    expect(res).toEqual({ status: 400, body: { status: 400, error: expect.stringContaining("contains a lone UTF-16 surrogate") } });
  });

  it("is refused in a cancellation's expression and a rerun's step id", async () => {
    const cancel = await post(
      "/v1/cancellations",
      '{"app_id":"findings-app","function_id":"f","started_before":"2020-01-01T00:00:00Z","if":"event.data.x == \'\\ud800\'"}',
    );
    expect(cancel).toEqual({ status: 400, body: { status: 400, error: expect.stringMatching(/^request body at if contains a lone UTF-16 surrogate/) } });
    const rerun = await post("/v0/runs/01JFINDINGS0000000000000000/rerun", '{"from_step":"\\ud800"}');
    expect(rerun).toEqual({ status: 400, body: { status: 400, error: expect.stringMatching(/^request body at from_step contains a lone UTF-16 surrogate/) } });
  });
});

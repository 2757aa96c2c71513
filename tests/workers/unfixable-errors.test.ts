/**
 * Errors retrying cannot fix (issue 8): an SDK answer nested deeper than MAX_JSON_DEPTH fails the
 * run at once, and a run whose end effects storage refuses for good (an event nested past
 * SQLite's JSON depth, stored before intake limited depth) still ends, reaches history and can be
 * cancelled, instead of retrying forever while it shows as running.
 */
import { env } from "cloudflare:workers";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../../src/constants";
import { installFetchRouter, sdkHandler } from "./helpers/app-fetch";
import { alarmOf, clearAlarm, driveToEnd, historyRun, objectRows, runAlarm, runStart, runStub } from "./helpers/runs";
import { sleep } from "./helpers/wait";

const APP_ID = "unfix";
const APP_URL = "http://unfix.test/api/inngest";
const started: string[] = [];

/** A value `depth` objects deep. */
function nested(depth: number): unknown {
  let value: unknown = {};
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

beforeAll(() => {
  const router = installFetchRouter();
  const client = new Inngest({ id: APP_ID });
  router.route(
    "http://unfix.test",
    sdkHandler(client, [
      client.createFunction({ id: "deep-step", triggers: [{ event: "unfix/step" }] }, async ({ step }) => {
        await step.run("deep", () => nested(1_000));
        return "unreachable";
      }),
      client.createFunction({ id: "deep-return", triggers: [{ event: "unfix/return" }] }, () => nested(1_000)),
      client.createFunction({ id: "plain", triggers: [{ event: "unfix/plain" }] }, async ({ step }) => {
        await step.sleep("nap", "1h");
        return "done";
      }),
    ]),
  );
});

afterAll(async () => {
  for (const id of started) await clearAlarm(id);
});

async function start(fnSlug: string, eventName: string, data: Record<string, unknown> = {}) {
  const input = runStart(APP_URL, APP_ID, fnSlug, eventName);
  input.events[0]!.data = data;
  started.push(input.runId);
  await runStub(input.runId).start(input);
  return input.runId;
}

/** Runs due alarms until the object owes nothing at once (no effects, no history pending). */
async function settle(runId: string): Promise<number> {
  let alarms = 0;
  const deadline = Date.now() + 10_000;
  while (alarms < 50 && Date.now() < deadline) {
    const at = await alarmOf(runId);
    const outbox = await objectRows(runId, "SELECT seq FROM outbox");
    // History sent but not yet confirmed by the history consumer is still owed.
    const unconfirmed = await objectRows(runId, "SELECT key FROM dirty");
    if (outbox.length === 0 && unconfirmed.length === 0 && (at === null || at > Date.now() + 60_000)) return alarms;
    // Only the consumer's confirmation is awaited, and it comes by itself.
    if (outbox.length === 0 && at !== null && at > Date.now()) {
      await sleep(20);
      continue;
    }
    await runAlarm(runId);
    alarms++;
  }
  throw new Error(`run ${runId} still has work after ${alarms} alarms`);
}

describe("SDK answers nested too deeply", () => {
  for (const [fn, event] of [
    ["deep-step", "unfix/step"],
    ["deep-return", "unfix/return"],
  ] as const) {
    it(`${fn}: the run fails with JsonTooDeep, not a retry loop`, async () => {
      const runId = await start(fn, event);
      const { run } = await driveToEnd(runId);
      expect(run.status).toBe("failed");
      const result = JSON.parse((await runStub(runId).result())!) as { error: { name: string; code: string; message: string } };
      expect(result.error).toMatchObject({ name: "JsonTooDeep", code: "json_too_deep" });
      expect(result.error.message).toContain(`nested deeper than ${MAX_JSON_DEPTH} levels`);
      await settle(runId);
      expect((await historyRun(runId))?.status).toBe("failed");
    });
  }
});

describe("effects storage refuses for good", () => {
  it("a run triggered by an event nested past SQLite's JSON depth ends and reaches history", async () => {
    const runId = await start("deep-return", "unfix/return", nested(1_100) as Record<string, unknown>);
    await driveToEnd(runId);
    await settle(runId);
    expect(["failed", "completed"]).toContain((await historyRun(runId))?.status);
  });

  it("a run stuck on a refused effect can still be cancelled, and history shows it", async () => {
    const runId = await start("plain", "unfix/plain", nested(1_100) as Record<string, unknown>);
    // Up to the sleep: the run waits; its start effects (a cancel listener holding the event) may be refused.
    for (let i = 0; i < 5; i++) await runAlarm(runId);
    expect((await runStub(runId).status())?.status).not.toBe("cancelled");
    expect(await runStub(runId).cancel()).toEqual({ cancelled: true });
    await settle(runId);
    expect((await runStub(runId).status())?.status).toBe("cancelled");
    expect((await historyRun(runId))?.status).toBe("cancelled");
  });
});
void env;

/**
 * Ops the server does not carry out end the run with `UnsupportedFeature`, on the checkpoint
 * path too: a v4 SDK ships `defer()` (`DeferAdd`) along with the next step it checkpoints.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { Op } from "../../src/protocol/ops";
import { clearAlarm, objectRows, runStart, runStub } from "./helpers/runs";

const started: string[] = [];

afterAll(async () => {
  for (const runId of started) await clearAlarm(runId);
});

describe("RunObject.checkpoint", () => {
  it("ends the run with UnsupportedFeature when a checkpoint carries defer(), storing none of it", async () => {
    const input = runStart("http://app.test/api/inngest", "uo", "deferrer", "uo/go");
    started.push(input.runId);
    const stub = runStub(input.runId);
    await stub.start(input);
    const ops: Op[] = [
      { id: "s1", op: "StepRun", data: "done", userland: { id: "work" } },
      { id: "d1", op: "DeferAdd", name: "follow-up", opts: { fn_slug: "uo-later", input: { n: 1 } }, userland: { id: "follow-up" } },
    ];
    expect(await stub.checkpoint(ops)).toEqual({ accepted: false });
    expect((await stub.status())?.status).toBe("failed");
    expect(JSON.parse((await stub.result())!)).toEqual({
      error: {
        name: "UnsupportedFeature",
        code: "unsupported_feature",
        message: 'step "follow-up" uses defer() (opcode DeferAdd), which stepflare does not support yet',
      },
    });
    expect(await objectRows(input.runId, "SELECT step_id FROM stack")).toEqual([]);
  });

  it("still stores the steps of a checkpoint without unsupported ops", async () => {
    const input = runStart("http://app.test/api/inngest", "uo", "worker", "uo/go");
    started.push(input.runId);
    const stub = runStub(input.runId);
    await stub.start(input);
    expect(await stub.checkpoint([{ id: "s1", op: "StepRun", data: 7, userland: { id: "work" } }])).toEqual({ accepted: true });
    expect(await objectRows(input.runId, "SELECT step_id FROM stack")).toEqual([{ step_id: "s1" }]);
    expect((await stub.status())?.status).not.toBe("failed");
  });
});

import { describe, expect, it } from "vitest";
import { MAX_ROW_BYTES, MAX_SYSTEM_EVENT_VALUE_BYTES } from "../../src/constants";
import type { SdkEvent } from "../../src/ingest/event";
import { runEndEvents, type EndedRun } from "../../src/runner/run-end-events";
import { jsonBytes } from "../../src/util/utf8";

const trigger: SdkEvent = { name: "app/go", data: { n: 1 }, id: "evt-1", ts: 1_700_000_000_000, user: {} };
const run = (events: SdkEvent[] = [trigger]): EndedRun => ({ id: "run-1", functionId: "app-fn", endedAt: 1_700_000_001_000, events });
/** 1.5 MB of three-byte characters: small in characters, large in bytes. */
const BIG = "€".repeat(500_000);

describe("runEndEvents", () => {
  it("carries a small output and the events as they are", () => {
    const [finished] = runEndEvents(run(), { status: "completed", output: { ok: true } });
    expect(finished!.data).toEqual({
      function_id: "app-fn",
      run_id: "run-1",
      event: trigger,
      events: [trigger],
      result: { ok: true },
      _inngest: { status: "completed" },
    });
  });

  it("leaves an output too large for an event row out, noting its size in bytes", () => {
    const [finished] = runEndEvents(run(), { status: "completed", output: BIG });
    expect(finished!.data.result).toBeNull();
    expect(finished!.data._inngest).toEqual({ status: "completed", omitted: { result: jsonBytes(BIG) } });
    expect(jsonBytes(finished!.data)).toBeLessThan(MAX_SYSTEM_EVENT_VALUE_BYTES * 2);
  });

  it("cuts an error too large for an event row, keeping its name and the start of its message", () => {
    const error = { name: "Error", message: BIG, stack: BIG };
    const events = runEndEvents(run(), { status: "failed", error });
    expect(events.map((e) => e.name)).toEqual(["inngest/function.finished", "inngest/function.failed"]);
    for (const event of events) {
      const cut = event.data.error as { name: string; message: string; stack?: string };
      expect(cut.name).toBe("Error");
      expect(cut).not.toHaveProperty("stack");
      expect(cut.message.startsWith("€€€")).toBe(true);
      expect(cut.message).toContain(`cut from ${jsonBytes(error)} bytes`);
      expect(jsonBytes(cut)).toBeLessThanOrEqual(MAX_SYSTEM_EVENT_VALUE_BYTES);
    }
  });

  it("keeps a server-made error's code when cutting it", () => {
    const [, failed] = runEndEvents(run(), { status: "failed", error: { name: "RunStateTooLarge", code: "run_state_too_large", message: BIG } as never });
    expect(failed!.data.error).toMatchObject({ name: "RunStateTooLarge", code: "run_state_too_large" });
  });

  it("leaves out a batch of events too large, keeping the first", () => {
    const batch = Array.from({ length: 10 }, (_, i) => ({ ...trigger, id: `evt-${i}`, data: { blob: "€".repeat(100_000) } }));
    const events = runEndEvents(run(batch), { status: "failed", error: { name: "Error", message: "no" } });
    for (const event of events) {
      expect(event.data).not.toHaveProperty("events");
      expect(event.data.event).toEqual(batch[0]);
      expect(event.data._inngest).toMatchObject({ omitted: { events: jsonBytes(batch) } });
    }
  });

  it("keeps both end events of the largest run inside one storage row together", () => {
    const batch = Array.from({ length: 20 }, (_, i) => ({ ...trigger, id: `evt-${i}`, data: { blob: "😀".repeat(100_000) } }));
    const events = runEndEvents(run(batch), { status: "failed", error: { name: "Error", message: BIG, stack: BIG } });
    expect(jsonBytes(events)).toBeLessThan(MAX_ROW_BYTES);
  });
});

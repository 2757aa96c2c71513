import { describe, expect, it } from "vitest";
import { MAX_EVENT_BYTES, MAX_ROW_BYTES, MAX_SYSTEM_EVENT_VALUE_BYTES } from "../../src/constants";
import type { SdkEvent } from "../../src/ingest/event";
import { runEndEvents, type EndedRun } from "../../src/runs/run-end-events";
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
      _inngest: { status: "completed", depth: 1 },
    });
  });

  it("leaves an output too large for an event row out, noting its size in bytes", () => {
    const [finished] = runEndEvents(run(), { status: "completed", output: BIG });
    expect(finished!.data.result).toBeNull();
    expect(finished!.data._inngest).toEqual({ status: "completed", depth: 1, omitted: { result: jsonBytes(BIG) } });
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

/** An emitted end event as the run it starts receives it. */
function asTrigger(e: { name: string; data: Record<string, unknown>; ts: number; id?: string }): SdkEvent {
  return { name: e.name, data: e.data, ts: e.ts, id: e.id ?? "evt", user: {} };
}

/** The whole event's size as the event API would serve it, in UTF-8 bytes. */
const eventBytes = (e: { name: string; data: Record<string, unknown>; ts: number }) => jsonBytes(asTrigger({ ...e, id: "0".repeat(26) }));

describe("end events of runs started by end events", () => {
  it("count the chain's depth, one more than the deepest end event that started the run", () => {
    const [first] = runEndEvents(run(), { status: "completed", output: 1 });
    expect(first!.data._inngest).toMatchObject({ depth: 1 });
    const [second] = runEndEvents(run([asTrigger(first!)]), { status: "completed", output: 2 });
    expect(second!.data._inngest).toMatchObject({ depth: 2 });
    const [, failed] = runEndEvents(run([trigger, asTrigger(second!)]), { status: "failed", error: { name: "Error", message: "no" } });
    expect(failed!.data._inngest).toMatchObject({ depth: 3 });
  });

  it("embed the end event that started them without its own event and events, so nothing nests twice", () => {
    const [first] = runEndEvents(run(), { status: "completed", output: { n: 1 } });
    const [second] = runEndEvents(run([asTrigger(first!)]), { status: "completed", output: { n: 2 } });
    const embedded = second!.data.event as SdkEvent;
    expect(embedded.name).toBe("inngest/function.finished");
    expect(embedded.data).toEqual({ function_id: "app-fn", run_id: "run-1", result: { n: 1 }, _inngest: { status: "completed", depth: 1 } });
    expect(second!.data.events).toEqual([embedded]);
  });

  it("stay within MAX_EVENT_BYTES and stop growing across generations, even with a large event and output", () => {
    const bigTrigger: SdkEvent = { ...trigger, data: { blob: "€".repeat(170_000) } };
    expect(jsonBytes(bigTrigger)).toBeLessThan(MAX_EVENT_BYTES);
    const output = "😀".repeat(60_000); // 240 KB: under the 256 KiB value cap, so kept when it fits
    let events: SdkEvent[] = [bigTrigger];
    const sizes: number[] = [];
    for (let generation = 0; generation < 12; generation++) {
      const [finished] = runEndEvents(run(events), { status: "completed", output });
      expect(eventBytes(finished!)).toBeLessThanOrEqual(MAX_EVENT_BYTES);
      sizes.push(eventBytes(finished!));
      events = [asTrigger(finished!)];
    }
    // From the second generation on, each end event embeds one stripped end event: the size stays
    // the same but for a few digits (the depth, the sizes noted in `omitted`).
    expect(Math.max(...sizes.slice(2)) - Math.min(...sizes.slice(2))).toBeLessThan(100);
  });

  it("stay within MAX_EVENT_BYTES for a failed run started by the largest event, leaving out what does not fit", () => {
    const huge: SdkEvent = { ...trigger, data: { blob: "€".repeat(170_000), more: "\u0001".repeat(1) } };
    const error = { name: "\u0001".repeat(100_000), message: "\u0001".repeat(200_000) };
    for (const event of runEndEvents(run([huge, huge]), { status: "failed", error })) {
      expect(eventBytes(event)).toBeLessThanOrEqual(MAX_EVENT_BYTES);
      expect(event.data.event).toMatchObject({ name: trigger.name, id: trigger.id, ts: trigger.ts });
      expect(event.data).toHaveProperty("error.name");
    }
  });

  it("keep a completed run's event when only its result must go, noting the result's size", () => {
    const bigTrigger: SdkEvent = { ...trigger, data: { blob: "€".repeat(170_000) } };
    const output = "😀".repeat(60_000);
    const [finished] = runEndEvents(run([bigTrigger]), { status: "completed", output });
    expect(finished!.data.event).toEqual(bigTrigger);
    expect(finished!.data).not.toHaveProperty("events");
    expect(finished!.data.result).toBeNull();
    expect(finished!.data._inngest).toMatchObject({ omitted: { events: jsonBytes([bigTrigger]), result: jsonBytes(output) } });
  });
});

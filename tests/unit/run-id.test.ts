import { describe, expect, it } from "vitest";
import { newEventIds, ulidTime } from "../../src/ingest/event-ids";
import { runIdFor } from "../../src/runs/run-id";

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const EVENT_TIME = Date.UTC(2025, 5, 1, 12, 0, 0);
const [EVENT_ID, OTHER_EVENT_ID] = newEventIds(2, null, EVENT_TIME) as [string, string];

describe("runIdFor", () => {
  it("is deterministic for an (event, function) pair", async () => {
    const first = await runIdFor(EVENT_ID, "my-app-send-email");
    expect(first).toMatch(ULID);
    expect(await runIdFor(EVENT_ID, "my-app-send-email")).toBe(first);
  });

  it("differs per function and per event", async () => {
    const ids = await Promise.all([runIdFor(EVENT_ID, "my-app-a"), runIdFor(EVENT_ID, "my-app-b"), runIdFor(OTHER_EVENT_ID, "my-app-a")]);
    expect(new Set(ids).size).toBe(3);
  });

  it("carries the event's time", async () => {
    expect(ulidTime(await runIdFor(EVENT_ID, "my-app-a"))).toBe(EVENT_TIME);
  });

  it("uses the first 10 bytes of SHA-256(eventId:functionId) as entropy", async () => {
    // Fixed vector so the derivation cannot drift silently: a change here changes every run id.
    const eventId = "01JQGC2E8Q7A5M0Y3VQ2K9XW4B";
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${eventId}:fn`)));
    let n = 0n;
    for (const byte of digest.slice(0, 10)) n = (n << 8n) | BigInt(byte);
    const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let entropy = "";
    for (let i = 0; i < 16; i++) {
      entropy = alphabet[Number(n & 31n)] + entropy;
      n >>= 5n;
    }
    expect(await runIdFor(eventId, "fn")).toBe(eventId.slice(0, 10) + entropy);
  });

  it("rejects an event id that is not a ULID", async () => {
    await expect(runIdFor("order-1", "fn")).rejects.toThrow();
  });
});

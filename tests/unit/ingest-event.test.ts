import { describe, expect, it } from "vitest";
import { type StoredEvent, storedEventSchema, toSdkEvent } from "../../src/ingest/event";

const stored: StoredEvent = {
  internalId: "01JQGC2E8Q7A5M0Y3VQ2K9XW4B",
  id: "order-1",
  name: "app/order.placed",
  data: { total: 10 },
  ts: 1743130137367,
  user: {},
};

describe("storedEventSchema", () => {
  it("reads back a stored event", () => {
    const parsed = storedEventSchema.parse(JSON.parse(JSON.stringify({ ...stored, v: "1" })));
    expect(parsed).toEqual({ ...stored, v: "1" });
  });

  it("requires an id and a ULID internal id", () => {
    const { id: _id, ...withoutId } = stored;
    expect(storedEventSchema.safeParse(withoutId).success).toBe(false);
    expect(storedEventSchema.safeParse({ ...stored, internalId: "order-1" }).success).toBe(false);
  });

  it("rejects data that is not an object", () => {
    expect(storedEventSchema.safeParse({ ...stored, data: [1] }).success).toBe(false);
    expect(storedEventSchema.safeParse({ ...stored, user: null }).success).toBe(false);
  });
});

describe("toSdkEvent", () => {
  it("sends the event's id (the sender's idempotency key when given), as the Go server does", () => {
    expect(toSdkEvent(stored)).toEqual({
      name: "app/order.placed",
      data: { total: 10 },
      id: "order-1",
      ts: 1743130137367,
      user: {},
    });
  });

  it("sends the internal ULID as id when the sender gave none", () => {
    expect(toSdkEvent({ ...stored, id: stored.internalId }).id).toBe(stored.internalId);
  });

  it("includes v only when set and never leaks internalId", () => {
    expect(toSdkEvent({ ...stored, v: "2024-01-01.1" })).toHaveProperty("v", "2024-01-01.1");
    expect(toSdkEvent(stored)).not.toHaveProperty("v");
    expect(toSdkEvent(stored)).not.toHaveProperty("internalId");
  });
});

import { describe, expect, it } from "vitest";
import { equalityKey, indexValueAt } from "../../src/waits/equality";

describe("equalityKey", () => {
  it("reads the SDK's match form either way round", () => {
    expect(equalityKey("event.data.orderId == async.data.orderId")).toEqual({ eventPath: "data.orderId", asyncPath: "data.orderId" });
    expect(equalityKey("async.data.id == event.data.user.id")).toEqual({ eventPath: "data.user.id", asyncPath: "data.id" });
  });

  it("keeps the key when more conditions are and-ed after it", () => {
    expect(equalityKey("event.data.a == async.data.b && async.data.n > 2")).toEqual({ eventPath: "data.a", asyncPath: "data.b" });
  });

  it("refuses shapes where the equality is not required", () => {
    expect(equalityKey("event.data.a == async.data.b || async.data.force")).toBeNull();
    expect(equalityKey("event.data.a == async.data.b && async.data.x ? true : false")).toBeNull();
    expect(equalityKey("async.data.n > 2 && event.data.a == async.data.b")).toBeNull();
    expect(equalityKey("event.data.a == event.data.b")).toBeNull();
    expect(equalityKey("async.data.a == 'x'")).toBeNull();
  });
});

describe("indexValueAt", () => {
  it("indexes scalars by their JSON", () => {
    const e = { data: { id: "u1", n: 3, ok: true, nested: { v: 1.5 } } };
    expect(indexValueAt(e, "data.id")).toBe('"u1"');
    expect(indexValueAt(e, "data.n")).toBe("3");
    expect(indexValueAt({ data: { n: 3.0 } }, "data.n")).toBe(indexValueAt(e, "data.n"));
    expect(indexValueAt(e, "data.ok")).toBe("true");
    expect(indexValueAt(e, "data.nested.v")).toBe("1.5");
  });

  it("has no index for missing paths, objects, arrays or null", () => {
    const e = { data: { obj: {}, list: [1], nil: null } };
    expect(indexValueAt(e, "data.missing")).toBeNull();
    expect(indexValueAt(e, "data.obj")).toBeNull();
    expect(indexValueAt(e, "data.list")).toBeNull();
    expect(indexValueAt(e, "data.nil")).toBeNull();
    expect(indexValueAt(e, "data.list.0")).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { serializedErrorSchema, toSerializedError } from "../../src/protocol/serialized-error";

describe("serializedErrorSchema", () => {
  it("keeps fields it does not know, such as the SDK's __serialized marker", () => {
    const parsed = serializedErrorSchema.parse({
      name: "Error",
      message: "boom",
      stack: "Error: boom\n    at x",
      __serialized: true,
      cause: { name: "TypeError", message: "inner" },
    });
    expect(parsed.__serialized).toBe(true);
    expect(parsed.cause).toEqual({ name: "TypeError", message: "inner" });
  });

  it("requires a string name and message", () => {
    expect(serializedErrorSchema.safeParse({ message: "no name" }).success).toBe(false);
    expect(serializedErrorSchema.safeParse({ name: "Error", message: 1 }).success).toBe(false);
  });
});

describe("toSerializedError", () => {
  it("keeps name, message and stack of an Error", () => {
    const error = new RangeError("out of range");
    expect(toSerializedError(error)).toEqual({ name: "RangeError", message: "out of range", stack: error.stack });
  });

  it("uses a custom Error subclass's name", () => {
    class QuotaError extends Error {
      override name = "QuotaError";
    }
    expect(toSerializedError(new QuotaError("over")).name).toBe("QuotaError");
  });

  it("returns an already serialised error as it is", () => {
    const wire = { name: "NonRetriableError", message: "stop", __serialized: true };
    expect(toSerializedError(wire)).toEqual(wire);
  });

  it("turns a string into the message", () => {
    expect(toSerializedError("plain")).toEqual({ name: "Error", message: "plain" });
  });

  it("keeps a message-only object's message and describes other objects as JSON", () => {
    expect(toSerializedError({ message: "Unauthorized" })).toEqual({ name: "Error", message: "Unauthorized" });
    expect(toSerializedError({ error: "Could not find step" })).toEqual({
      name: "Error",
      message: '{"error":"Could not find step"}',
    });
  });

  it("describes values JSON cannot represent without throwing", () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(toSerializedError(circular)).toEqual({ name: "Error", message: "[object Object]" });
    expect(toSerializedError(10n)).toEqual({ name: "Error", message: "10" });
    expect(toSerializedError(undefined)).toEqual({ name: "Error", message: "undefined" });
    expect(toSerializedError(null)).toEqual({ name: "Error", message: "null" });
    expect(toSerializedError(42)).toEqual({ name: "Error", message: "42" });
  });
});

/**
 * The error shape the SDK sends and reads back: `{name, message, stack?, cause?}` plus whatever
 * else it adds (`__serialized`, `type`, ...).
 * @module
 */
import { z } from "zod";

/** A serialised error; unknown fields are kept so the SDK gets back exactly what it sent. */
export const serializedErrorSchema = z.looseObject({
  name: z.string(),
  message: z.string(),
  stack: z.string().optional(),
  cause: z.unknown().optional(),
});

export type SerializedError = z.infer<typeof serializedErrorSchema>;

/** JSON text of `value`, or `String(value)` when it has none (circular, BigInt, undefined). */
function describe(value: unknown): string {
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // Not representable as JSON; fall through to String().
  }
  return String(value);
}

/**
 * Normalise anything thrown or received into a {@link SerializedError}: values that already have
 * the shape are returned as parsed, `Error`s keep name, message and stack, strings become the
 * message, other objects keep a string `message`/`name`/`stack` if they have one, and anything
 * else is described as JSON.
 */
export function toSerializedError(value: unknown): SerializedError {
  const parsed = serializedErrorSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  if (value instanceof Error) {
    return {
      name: value.name || "Error",
      message: value.message,
      ...(value.stack === undefined ? {} : { stack: value.stack }),
    };
  }
  if (typeof value === "string") return { name: "Error", message: value };
  if (typeof value === "object" && value !== null) {
    const { name, message, stack } = value as Record<string, unknown>;
    return {
      name: typeof name === "string" && name ? name : "Error",
      message: typeof message === "string" ? message : describe(value),
      ...(typeof stack === "string" ? { stack } : {}),
    };
  }
  return { name: "Error", message: describe(value) };
}

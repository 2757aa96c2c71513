/**
 * Text in a sync payload must be valid Unicode: a lone UTF-16 surrogate (`"\ud800"` in JSON)
 * cannot be canonicalised for the config checksum, signed or shown, so it is refused at the door
 * with the field it sits in.
 * @module
 */
import type { z } from "zod";

/** The path of the first string or key holding a lone surrogate, or null when there is none. */
export function loneSurrogatePath(value: unknown, path: PropertyKey[] = []): PropertyKey[] | null {
  if (typeof value === "string") return value.isWellFormed() ? null : path;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = loneSurrogatePath(item, [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (!key.isWellFormed()) return [...path, key.toWellFormed()];
      const found = loneSurrogatePath(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/** A zod refinement reporting a lone surrogate anywhere in the value, at its path. */
export function refineWellFormed(value: unknown, ctx: z.RefinementCtx): void {
  const path = loneSurrogatePath(value);
  if (path) ctx.addIssue({ code: "custom", path, message: "contains a lone UTF-16 surrogate; text must be valid Unicode" });
}

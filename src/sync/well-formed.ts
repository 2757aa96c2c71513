/**
 * Text in a sync payload must be valid Unicode: a lone UTF-16 surrogate (`"\ud800"` in JSON)
 * cannot be canonicalised for the config checksum, signed or shown, so it is refused at the door
 * with the field it sits in.
 * @module
 */
import type { z } from "zod";
import { loneSurrogatePath } from "../util/well-formed";

/** A zod refinement reporting a lone surrogate anywhere in the value, at its path. */
export function refineWellFormed(value: unknown, ctx: z.RefinementCtx): void {
  const path = loneSurrogatePath(value);
  if (path) ctx.addIssue({ code: "custom", path, message: "contains a lone UTF-16 surrogate; text must be valid Unicode" });
}

/**
 * The arguments of RunObject's methods besides `start` (see run-start.ts), checked at the top of
 * each: the caller may be a Worker of another build during a deploy.
 * @module
 */
import { z } from "zod";
import { opSchema } from "../protocol/ops";
import { storedMemoSchema } from "./stored-run-json";

/** `checkpoint(ops)`: the ops the SDK checkpointed. */
export const checkpointArgsSchema = z.array(opSchema);

/** A call target or a step id: `"step"` (discovery) or a hashed step id. */
export const stepIdSchema = z.string().min(1);

/** `resume(stepId, memo)`. */
export const resumeArgsSchema = z.tuple([stepIdSchema, storedMemoSchema]);

/** `rerunSeed(stepId?)`. */
export const rerunSeedArgsSchema = stepIdSchema.optional();

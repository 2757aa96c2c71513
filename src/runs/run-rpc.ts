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

/** A history row named by kind and key: the run's own row (key: its id) or a step's (key: step id). */
const historyKeySchema = z.object({ kind: z.enum(["run", "step"]), key: z.string().min(1) });

/** `historyWritten(rows)`: the versions of rows D1 now has. */
export const historyWrittenArgsSchema = z.array(historyKeySchema.extend({ rev: z.number().int() }));

/** `historyValues(rows)`: the rows whose values a history message carried by reference. */
export const historyValuesArgsSchema = z.array(historyKeySchema);

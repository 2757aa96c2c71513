/**
 * Arguments of WaitShardObject's methods, checked at the boundary (a caller may run another
 * build during a deploy).
 * @module
 */
import { z } from "zod";
import { storedEventSchema } from "../ingest/event";
import type { PauseRow } from "./pause";

/** A pause as a shard stores it. */
export const pauseRowSchema: z.ZodType<PauseRow> = z.object({
  id: z.string().min(1),
  run_id: z.string().min(1),
  step_id: z.string().nullable(),
  kind: z.enum(["wait", "invoke", "cancel"]),
  event_name: z.string().min(1),
  expression: z.string().nullable(),
  match_path: z.string().nullable(),
  match_value: z.string().nullable(),
  trigger_event: z.string(),
  created_at: z.number(),
  expires_at: z.number(),
});

/** `notePath(eventName, path, until, now)`. */
export const notePathArgsSchema = z.tuple([z.string().min(1), z.string().min(1), z.number(), z.number()]);

/** `lookup(events, now, limit)`. */
export const lookupArgsSchema = z.tuple([z.array(storedEventSchema), z.number(), z.number().int().nonnegative()]);

/** `remove(ids)`. */
export const pauseIdsSchema = z.array(z.string().min(1));

/** `claimSignal(hold, replace, now)`. */
export const claimSignalArgsSchema = z.tuple([
  z.object({
    signal: z.string().min(1),
    pause_id: z.string().min(1),
    run_id: z.string().min(1),
    step_id: z.string().min(1),
    expires_at: z.number(),
  }),
  z.boolean(),
  z.number(),
]);

/** `signalHolder(signal, now)`. */
export const signalHolderArgsSchema = z.tuple([z.string().min(1), z.number()]);

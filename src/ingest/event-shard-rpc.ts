/**
 * The arguments of EventShardObject's methods, checked at the top of each: a caller may be a
 * build from before or after a deploy, so nothing it passes is trusted as typed.
 * @module
 */
import { z } from "zod";
import { EVENT_SHARD_IDS_PER_LOAD, EVENT_SHARD_LOADS_PER_CALL } from "../constants";
import { storedEventSchema } from "./event";

const time = z.number().int().min(0);

/**
 * `accept(items, receivedAt)`: events with their target, and when they were received: each item's
 * own `receivedAt` (items of grouped requests were received at different times), else the call's.
 */
export const acceptArgsSchema = z.tuple([z.array(z.object({ event: storedEventSchema, target: z.string().optional(), receivedAt: time.optional() })), time]);

/** `load(internalIds)`. */
export const loadArgsSchema = z.array(z.string().min(1)).max(EVENT_SHARD_IDS_PER_LOAD);

/** `mark(marks, now)`: how routing settled events. */
export const markArgsSchema = z.tuple([
  z.array(
    z.object({
      internalId: z.string().min(1),
      status: z.enum(["routed", "failed"]),
      error: z.string().optional(),
      onlyPending: z.boolean().optional(),
    }),
  ),
  time,
]);

/** `unwrittenNamed(name, from, to, limit)`. */
export const unwrittenNamedArgsSchema = z.tuple([z.string().min(1), time, time, z.number().int().min(1).max(EVENT_SHARD_LOADS_PER_CALL)]);

import { z } from "zod";
import { EVENT_SHARD_COUNT, ROUTE_FANOUT_PER_MESSAGE } from "../constants";
import { storedEventSchema } from "./event";

/** A fan-out part names the functions it starts; at most ROUTE_FANOUT_PER_MESSAGE of them. */
const functionsSchema = z.array(z.string().min(1)).min(1).max(ROUTE_FANOUT_PER_MESSAGE).optional();

/**
 * A message on the events Queue: the event itself when it fits a message, otherwise a reference
 * to it in its event shard (Queue messages are limited to 128 KB; events may be 512 KiB). `target`
 * names the one function a server-emitted event is for (an invoke, a cron tick); `functions`
 * makes the message one part of an event that matches many functions (see route-events.ts);
 * `waitsOnly` delivers an event to the waiting runs a first delivery did not reach.
 */
const waitsOnlySchema = z.literal(true).optional();

export const queueMessageSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("event"),
    event: storedEventSchema,
    target: z.string().optional(),
    functions: functionsSchema,
    waitsOnly: waitsOnlySchema,
  }),
  z.object({
    kind: z.literal("event_ref"),
    internalId: z.string(),
    /** The event shard holding it; without one (a message from before shards) it is read from D1 history. */
    shard: z
      .number()
      .int()
      .min(0)
      .max(EVENT_SHARD_COUNT - 1)
      .optional(),
    functions: functionsSchema,
    waitsOnly: waitsOnlySchema,
  }),
]);
export type QueueMessage = z.infer<typeof queueMessageSchema>;

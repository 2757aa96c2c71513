import { z } from "zod";
import { storedEventSchema } from "./event";

/**
 * A message on the events Queue: the event itself when it fits a message, otherwise a reference
 * to its stored row (Queue messages are limited to 128 KB; events may be 512 KiB). `target`
 * names the one function a server-emitted event is for (an invoke, a cron tick).
 */
export const queueMessageSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("event"), event: storedEventSchema, target: z.string().optional() }),
  z.object({ kind: z.literal("event_ref"), internalId: z.string() }),
]);
export type QueueMessage = z.infer<typeof queueMessageSchema>;

import { z } from "zod";

/** An event as the SDK receives it in a call request. */
export const sdkEventSchema = z
  .object({
    name: z.string(),
    data: z.record(z.string(), z.unknown()),
    id: z.string(),
    ts: z.number(),
    user: z.record(z.string(), z.unknown()).optional(),
    v: z.string().optional(),
  })
  .loose();
export type SdkEvent = z.infer<typeof sdkEventSchema>;

/** Everything a RunObject needs to start a run; validated at the RPC boundary. */
export const runStartSchema = z.object({
  runId: z.string().min(1),
  functionId: z.string().min(1),
  appId: z.string().min(1),
  /** Internal id of the triggering event. */
  eventId: z.string().min(1),
  /** The function's step URL as synced, with `fnId` and `stepId=step`. */
  stepUrl: z.url(),
  maxAttempts: z.number().int().min(1),
  events: z.array(sdkEventSchema).min(1),
  queuedAt: z.number(),
});
export type RunStart = z.infer<typeof runStartSchema>;

import { z } from "zod";
import { sdkEventSchema } from "../ingest/event";

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
  /** When the first request goes to the app: later than `queuedAt` for events dated in the future. */
  startAt: z.number(),
  /** `cancelOn` rules: an event (and optional CEL over `event`/`async`) that cancels the run. */
  cancel: z.array(z.object({ event: z.string(), if: z.string().optional(), timeout: z.string().optional() })).default([]),
  /** `timeouts.start` / `timeouts.finish` in ms. */
  timeouts: z.object({ startMs: z.number().optional(), finishMs: z.number().optional() }).default({}),
  /** Concurrency limits each step must fit under (FlowObject names and limits). */
  concurrency: z.array(z.object({ flow: z.string(), limit: z.number().int().min(1) })).default([]),
  /** The throttle bucket the run takes its start from, when the function is throttled. */
  throttle: z.object({ flow: z.string(), limit: z.number(), periodMs: z.number(), burst: z.number() }).optional(),
  /** Priority factor in seconds: positive runs jump ahead of queued work, negative wait. */
  priority: z.number().default(0),
  /** The singleton FlowObject this run holds until it ends. */
  singleton: z.string().optional(),
  /** Steps to treat as already done, in stack order: a rerun from a chosen step. */
  seed: z.object({ stack: z.array(z.string()), memos: z.record(z.string(), z.unknown()) }).optional(),
  /**
   * A durable endpoint run (src/api/endpoint-routes.ts): `stepUrl` is the endpoint's URL, called
   * with `method` when the server resumes the run; the SDK is running it in the endpoint's own
   * request now, so no call goes out until that request stops reporting or hands the run over.
   */
  endpoint: z.object({ method: z.string().min(1), version: z.number().int() }).optional(),
});
export type RunStart = z.infer<typeof runStartSchema>;
/** What callers pass to start a run; defaults fill in what they leave out. */
export type RunStartInput = z.input<typeof runStartSchema>;

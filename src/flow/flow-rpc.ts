/**
 * The arguments of FlowObject's methods, checked at the top of each: a caller may be a build
 * from before or after a deploy, so nothing it passes is trusted as typed.
 * @module
 */
import { z } from "zod";
import { MAX_PARALLEL_CALLS } from "../constants";
import { bufferedStartSchema } from "./flow-state";

const count = z.number().int().min(0);
const duration = z.number().finite().min(0);

/** `throttleReserve(cfg)`. */
export const throttleArgsSchema = z.object({ limit: count, periodMs: duration, burst: count });

/** `rateLimitAllow(cfg)`. */
export const rateLimitArgsSchema = z.object({ limit: count, periodMs: duration });

/** A slot holder: `<runId>/<call target>`. */
export const holderSchema = z.string().regex(/^[^/]+\/.+$/, "must be <runId>/<target>");

/** `acquire(args)`. */
export const acquireArgsSchema = z.object({ holder: holderSchema, limit: count, leaseMs: duration, priority: z.number().finite() });

/** `renew(holders, leaseMs)`: the calls one run has in flight. */
export const renewArgsSchema = z.tuple([z.array(holderSchema).max(MAX_PARALLEL_CALLS), duration]);

/** `release(holder, limit)`. */
export const releaseArgsSchema = z.tuple([holderSchema, count]);

/** `debounce(event, cfg, start, collectAll)`. */
export const debounceArgsSchema = z.tuple([
  z.object({ internalId: z.string().min(1), ts: z.number() }),
  z.object({ periodMs: duration, timeoutMs: duration.optional() }),
  bufferedStartSchema,
  z.boolean(),
]);

/** `batch(event, cfg, start)`. */
export const batchArgsSchema = z.tuple([
  z.object({ internalId: z.string().min(1), bytes: count }),
  z.object({ maxSize: z.number().int().min(1), timeoutMs: duration, maxBytes: z.number().int().min(1) }),
  bufferedStartSchema,
]);

/** `singletonClaim(runId, mode)`. */
export const singletonClaimArgsSchema = z.tuple([z.string().min(1), z.enum(["skip", "cancel"])]);

/** `singletonRelease(runId)`. */
export const runIdArgSchema = z.string().min(1);

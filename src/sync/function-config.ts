/**
 * One function's configuration exactly as the official SDK syncs it (`FunctionConfig` in
 * inngest-js `types.ts`), validated once at sync and trusted afterwards. Unknown keys are kept
 * so that a newer SDK's options survive a round trip through storage.
 * @module
 */
import { z } from "zod";
import {
  MAX_CANCELLATIONS_PER_FUNCTION,
  MAX_CONCURRENCY_CONSTRAINTS,
  MAX_FUNCTION_ID_LENGTH,
  MAX_FUNCTION_NAME_LENGTH,
  MAX_TRIGGER_LENGTH,
  MAX_TRIGGERS_PER_FUNCTION,
} from "../constants";
import { validateExpression } from "../expressions";
import { isLocalAppUrl } from "./local-url";
import { DurationError, parseDurationMs } from "../time/duration";
import { formatFunctionIssues } from "./config-issues";
import { cronError } from "./cron";

/** A trigger on an event name (wildcards such as `app/*` allowed), optionally filtered by CEL. */
export interface EventTrigger {
  event: string;
  expression?: string;
}
/** A schedule: `0 9 * * *`, optionally prefixed `TZ=Europe/Paris `, with an optional jitter. */
export interface CronTrigger {
  cron: string;
  jitter?: string;
}
export type Trigger = EventTrigger | CronTrigger;

/** Whether a trigger is a schedule rather than an event. */
export function isCronTrigger(trigger: Trigger): trigger is CronTrigger {
  return typeof (trigger as Partial<CronTrigger>).cron === "string";
}

/**
 * The event behind `step.invoke`. v4 leaves it out of synced triggers; v3 sends it verbatim when
 * a user declares it for an invoke-only function. Invocations target one function by id, so it
 * must never match triggers.
 */
const INVOKE_EVENT = "inngest/function.invoked";

/**
 * A CEL expression checked at sync: syntax, types, and the expression limits (length, nesting,
 * estimated cost), so a config that could stall routing is refused here. Empty means "none".
 */
const checkedExpression = z.string().superRefine((source, ctx) => {
  const why = source === "" ? null : validateExpression(source);
  if (why !== null) ctx.addIssue({ code: "custom", message: why });
});

const checkedCron = z
  .string()
  .max(MAX_TRIGGER_LENGTH)
  .superRefine((cron, ctx) => {
    const why = cronError(cron);
    if (why !== null) ctx.addIssue({ code: "custom", message: why });
  });

/** A duration such as `"5s"` or `"1h30m"`, so flow control never meets an unparseable period. */
const checkedDuration = z.string().superRefine((text, ctx) => {
  try {
    parseDurationMs(text);
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
    ctx.addIssue({ code: "custom", message: error.message });
  }
});

/** The string checks a schema applies; plain strings for configs that were checked at sync. */
interface StringChecks {
  expression: z.ZodType<string>;
  cron: z.ZodType<string>;
  duration: z.ZodType<string>;
}

/**
 * Builds the schema with the given string checks, so that configs read back from storage can
 * skip the costly semantic checks they already passed at sync.
 */
function buildSchema({ expression, cron, duration }: StringChecks) {
  const trigger = z
    .looseObject({
      event: z.string().min(1, "must not be empty").max(MAX_TRIGGER_LENGTH).optional(),
      expression: expression.optional(),
      cron: cron.optional(),
      jitter: duration.optional(),
    })
    .superRefine((t, ctx) => {
      if ((t.event === undefined) === (t.cron === undefined)) {
        ctx.addIssue({ code: "custom", message: 'needs exactly one of "event" or "cron"' });
      }
    })
    // The refinement above guarantees exactly one of the two keys is set.
    .transform((t): Trigger => (t.cron === undefined ? { ...t, event: t.event ?? "" } : { ...t, cron: t.cron }));

  const step = z.looseObject({
    id: z.string().max(MAX_FUNCTION_NAME_LENGTH, `at most ${MAX_FUNCTION_NAME_LENGTH} characters`),
    name: z.string().max(MAX_FUNCTION_NAME_LENGTH, `at most ${MAX_FUNCTION_NAME_LENGTH} characters`),
    runtime: z.looseObject({ type: z.enum(["http", "ws"]), url: z.string() }).superRefine((runtime, ctx) => {
      if (runtime.type === "http" && !isHttpUrl(runtime.url) && !isLocalAppUrl(runtime.url)) {
        ctx.addIssue({ code: "custom", path: ["url"], message: `not an http(s) or local:// URL: "${runtime.url}"` });
      }
    }),
    retries: z
      .looseObject({
        // The SDK sends the user's `retries` here: retries after the first attempt. More than
        // MAX_RETRIES is clamped when a run starts (maxAttemptsFor), as Inngest clamps it.
        attempts: z.number().int().min(0).optional(),
      })
      .optional(),
  });

  const concurrencyConstraint = z
    .looseObject({
      limit: z.number().int().min(0),
      key: expression.optional(),
      scope: z.enum(["fn", "env", "account"]).optional(),
    })
    .superRefine((c, ctx) => {
      if ((c.scope === "env" || c.scope === "account") && !c.key) {
        ctx.addIssue({ code: "custom", path: ["key"], message: `scope "${c.scope}" needs a key` });
      }
    });

  return z
    .looseObject({
      id: z.string().min(1, "must not be empty").max(MAX_FUNCTION_ID_LENGTH, `at most ${MAX_FUNCTION_ID_LENGTH} characters`),
      name: z.string().max(MAX_FUNCTION_NAME_LENGTH, `at most ${MAX_FUNCTION_NAME_LENGTH} characters`).optional(),
      triggers: z.array(trigger).max(MAX_TRIGGERS_PER_FUNCTION, `at most ${MAX_TRIGGERS_PER_FUNCTION} triggers per function`),
      steps: z.record(z.string(), step).refine((s) => Object.keys(s).length > 0, "must declare at least one step"),
      idempotency: expression.optional(),
      batchEvents: z
        .looseObject({
          maxSize: z.number().int().min(1),
          timeout: duration,
          key: expression.optional(),
          if: expression.optional(),
        })
        .optional(),
      rateLimit: z.looseObject({ key: expression.optional(), limit: z.number().int().min(0), period: duration }).optional(),
      throttle: z
        .looseObject({
          key: expression.optional(),
          limit: z.number().int().min(0),
          period: duration,
          burst: z.number().int().min(0).optional(),
        })
        .optional(),
      concurrency: z
        .union([
          z.number().int().min(0),
          concurrencyConstraint,
          z.array(concurrencyConstraint).min(1).max(MAX_CONCURRENCY_CONSTRAINTS, `at most ${MAX_CONCURRENCY_CONSTRAINTS} concurrency constraints`),
        ])
        .optional(),
      debounce: z.looseObject({ key: expression.optional(), period: duration, timeout: duration.optional() }).optional(),
      priority: z.looseObject({ run: expression.optional() }).optional(),
      timeouts: z.looseObject({ start: duration.optional(), finish: duration.optional() }).optional(),
      singleton: z.looseObject({ key: expression.optional(), mode: z.enum(["skip", "cancel"]) }).optional(),
      cancel: z
        .array(
          z.looseObject({
            event: z.string().min(1, "must not be empty"),
            if: expression.optional(),
            // A duration or an ISO date (`cancelOn.timeout` may be a Date), so left to the runner.
            timeout: z.string().optional(),
          }),
        )
        .max(MAX_CANCELLATIONS_PER_FUNCTION, `at most ${MAX_CANCELLATIONS_PER_FUNCTION} cancellation rules`)
        .optional(),
    })
    .superRefine((cfg, ctx) => {
      // Inngest rejects the same schedule twice: it would fire twice per tick.
      const seen = new Set<string>();
      cfg.triggers.forEach((t, i) => {
        if (!isCronTrigger(t)) return;
        if (seen.has(t.cron)) {
          ctx.addIssue({ code: "custom", path: ["triggers", i, "cron"], message: "duplicate cron" });
        }
        seen.add(t.cron);
      });
      // Batching cannot be combined with these, as Inngest validates at registration.
      if (cfg.batchEvents) {
        for (const field of ["cancel", "debounce", "singleton", "priority"] as const) {
          if (cfg[field] !== undefined) {
            ctx.addIssue({ code: "custom", path: [field], message: `cannot be combined with batchEvents` });
          }
        }
        if (cfg.batchEvents.maxSize < 2) {
          ctx.addIssue({ code: "custom", path: ["batchEvents", "maxSize"], message: "must be at least 2" });
        }
      }
    });
}

/** Validates a synced function config: shape, limits, cron strings and CEL expressions. */
export const functionConfigSchema = buildSchema({
  expression: checkedExpression,
  cron: checkedCron,
  duration: checkedDuration,
});

/** The same shape without re-checking cron strings and expressions, for configs read from D1. */
export const storedFunctionConfigSchema = buildSchema({
  expression: z.string(),
  cron: z.string(),
  duration: z.string(),
});

export type FunctionConfig = z.infer<typeof functionConfigSchema>;

/** Parses one function config, with an error message naming the function and the field. */
export function parseFunctionConfig(input: unknown): { ok: true; config: FunctionConfig } | { ok: false; error: string } {
  const result = functionConfigSchema.safeParse(input);
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, error: formatFunctionIssues(result.error, input) };
}

/**
 * The triggers that start runs: without the invoke pseudo-trigger (invocations target a function
 * directly) and with empty expressions dropped, so callers can test `expression !== undefined`.
 */
export function triggersOf(cfg: FunctionConfig): Trigger[] {
  return cfg.triggers.flatMap((t): Trigger[] => {
    if (isCronTrigger(t)) return [t.jitter ? { cron: t.cron, jitter: t.jitter } : { cron: t.cron }];
    if (t.event === INVOKE_EVENT) return [];
    return [t.expression ? { event: t.event, expression: t.expression } : { event: t.event }];
  });
}

/** The URL the server calls to run the function: the `step` entry's, else the first entry's. */
export function stepUrlOf(cfg: FunctionConfig): string {
  return mainStep(cfg).runtime.url;
}

/** The configured retry count (attempts = retries + 1), or undefined for the server default. */
export function retriesOf(cfg: FunctionConfig): number | undefined {
  return mainStep(cfg).retries?.attempts;
}

function mainStep(cfg: FunctionConfig) {
  const step = cfg.steps.step ?? Object.values(cfg.steps)[0];
  // Unreachable for validated configs: the schema requires at least one step.
  if (!step) throw new Error(`function "${cfg.id}" has no steps`);
  return step;
}

/** Whether `value` is an absolute http: or https: URL. */
export function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === "http:" || protocol === "https:";
}

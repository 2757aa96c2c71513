/**
 * The out-of-band sync payload (`POST /fn/register`, `RegisterRequest` in inngest-js) and the
 * URL normalisation shared by every way an app syncs.
 * @module
 */
import { z } from "zod";
import { MAX_APP_ID_LENGTH, MAX_FUNCTION_CONFIG_BYTES } from "../constants";
import { formatPayloadIssues } from "./config-issues";
import { type FunctionConfig, functionConfigSchema, isHttpUrl } from "./function-config";
import { refineWellFormed } from "./well-formed";
import { isLocalAppUrl } from "./local-url";

/**
 * Query parameters that identify one sync attempt rather than the app. The SDK copies the sync
 * request's query into the app and step URLs; Inngest's `NormalizeAppURL` strips these two.
 */
const TRANSIENT_PARAMS = ["deployId", "probe"] as const;

/** The app URL without its per-sync query parameters (`deployId`, `probe`). */
export function normalizeAppUrl(url: string): string {
  const parsed = new URL(url);
  if (!TRANSIENT_PARAMS.some((name) => parsed.searchParams.has(name))) return parsed.href;
  for (const name of TRANSIENT_PARAMS) parsed.searchParams.delete(name);
  return parsed.href;
}

/** A function config whose http step URLs are normalised like the app URL. */
function withNormalizedStepUrls(cfg: FunctionConfig): FunctionConfig {
  const steps = Object.fromEntries(
    Object.entries(cfg.steps).map(([key, step]) => {
      if (step.runtime.type !== "http") return [key, step];
      return [key, { ...step, runtime: { ...step.runtime, url: normalizeAppUrl(step.runtime.url) } }];
    }),
  );
  return { ...cfg, steps };
}

/** An absolute http(s) URL, or an in-process app's `local://<app>/...`, normalised with {@link normalizeAppUrl}. */
export const appUrlSchema = z
  .string()
  .refine((url) => isHttpUrl(url) || isLocalAppUrl(url), "must be an absolute http(s) URL or local://<app>/<path>")
  .transform(normalizeAppUrl);

/** An app id as a sync gives it (`appName`, in-band `app_id`). */
export const appIdSchema = z.string().min(1, "App ID required").max(MAX_APP_ID_LENGTH, `at most ${MAX_APP_ID_LENGTH} characters`);

const encoder = new TextEncoder();

/**
 * The functions an app serves: each valid and small enough to store, ids unique within the app,
 * step URLs normalised.
 */
export const functionSetSchema = z
  .array(functionConfigSchema)
  .superRefine((fns, ctx) => {
    const seen = new Set<string>();
    fns.forEach((fn, i) => {
      if (seen.has(fn.id)) ctx.addIssue({ code: "custom", path: [i, "id"], message: "duplicate function id" });
      seen.add(fn.id);
      const bytes = encoder.encode(JSON.stringify(fn)).length;
      if (bytes > MAX_FUNCTION_CONFIG_BYTES) {
        ctx.addIssue({ code: "custom", path: [i], message: `config is ${bytes} bytes; at most ${MAX_FUNCTION_CONFIG_BYTES}` });
      }
    });
  })
  .transform((fns) => fns.map(withNormalizedStepUrls));

/** The body of `POST /fn/register` as the v3 and v4 SDKs send it; unknown keys are ignored. */
export const registerRequestSchema = z
  .looseObject({
    url: appUrlSchema,
    deployType: z.string(),
    framework: z.string(),
    appName: appIdSchema,
    appVersion: z.string().optional(),
    sdk: z.string(),
    v: z.string(),
    deployId: z.string().optional(),
    capabilities: z.record(z.string(), z.unknown()).optional(),
    functions: functionSetSchema,
  })
  .superRefine(refineWellFormed);

export type RegisterRequest = z.infer<typeof registerRequestSchema>;

/** Parses a register body, with an error message naming the function and field at fault. */
export function parseRegisterRequest(input: unknown): { ok: true; request: RegisterRequest } | { ok: false; error: string } {
  const result = registerRequestSchema.safeParse(input);
  if (result.success) return { ok: true, request: result.data };
  return { ok: false, error: formatPayloadIssues(result.error, input) };
}

/**
 * The request a `step.ai.infer` op asks for (the SDK's `AIGateway` op), read from the op and
 * shaped for its provider. Pure: planning a run reads it, and the gateway that makes the request
 * (runner/ai-gateway.ts) uses it with the key the op carries.
 * @module
 */
import { z } from "zod";
import type { Op } from "../protocol/ops";
import type { GatewayRequest } from "./transition";

/** The opts of an `AIGateway` op as the SDK sends them (`step.ai.infer` in InngestStepTools). */
const aiOptsSchema = z.looseObject({
  url: z.string(),
  headers: z.record(z.string(), z.unknown()).nullish(),
  auth_key: z.string().nullish(),
  format: z.string().nullish(),
  body: z.unknown().optional(),
});

/** One inference request, secrets included: held in memory only. */
export interface AiRequest {
  url: string;
  headers: Record<string, string>;
  authKey: string;
  format: string;
  body: string;
}

/** The request of an `AIGateway` op, or what is wrong with it. */
export function aiRequestOf(op: Op): AiRequest | { invalid: string } {
  const parsed = aiOptsSchema.safeParse(op.opts ?? {});
  if (!parsed.success) return { invalid: "names no provider URL" };
  const { url, headers, auth_key: authKey, format, body } = parsed.data;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { invalid: "names a provider URL that is not a URL" };
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") return { invalid: "needs an http(s) provider URL" };
  return {
    url: target.href,
    headers: Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(v)])),
    authKey: authKey ?? "",
    format: format ?? "openai-chat",
    body: JSON.stringify(body ?? {}),
  };
}

/** What the call row keeps of a planned `step.ai.infer`: no key, no headers, no body, no query. */
export function storedAiRequest(request: AiRequest): GatewayRequest {
  const url = new URL(request.url);
  return { url: `${url.origin}${url.pathname}`, method: "POST", headers: {}, ai: request.format };
}

/**
 * The HTTP request to the provider, authenticated the way Inngest does for each format: Gemini
 * takes the key as the `key` query parameter, Anthropic as `x-api-key`, Bedrock as a ready-made
 * `Authorization`, anything else (OpenAI-compatible) as a bearer token. The op's own headers
 * come last and win.
 */
export function providerRequest(request: AiRequest): GatewayRequest {
  const url = new URL(request.url);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (request.authKey !== "") {
    if (request.format === "gemini") url.searchParams.set("key", request.authKey);
    else if (request.format === "anthropic") headers["x-api-key"] = request.authKey;
    else if (request.format === "bedrock") headers["authorization"] = request.authKey;
    else headers["authorization"] = `Bearer ${request.authKey}`;
  }
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  return { url: url.href, method: "POST", headers, body: request.body };
}

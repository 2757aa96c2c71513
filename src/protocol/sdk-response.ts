/**
 * Reading an SDK's answer to a call request: finished, reported ops, or failed.
 * @module
 */
import { z } from "zod";
import { ERROR_BODY_PREVIEW_CHARS, MAX_JSON_DEPTH } from "../constants";
import { runError } from "../errors";
import { parseTimestampMs } from "../time/timestamp";
import { jsonNestsDeeperThan, tooDeepMessage } from "../util/json-depth";
import { loneSurrogatePath } from "../util/well-formed";
import { opSchema, type Op } from "./ops";
import { serializedErrorSchema, type SerializedError } from "./serialized-error";

/** What a call request's response means for the run. */
export type SdkResponse =
  | { kind: "complete"; output: unknown; version?: number }
  | { kind: "ops"; ops: Op[]; version?: number; noRetry: boolean; retryAfterMs?: number }
  | {
      kind: "error";
      status: number;
      error: SerializedError;
      retriable: boolean;
      retryAfterMs?: number;
      version?: number;
    };

type RawResponse = { status: number; headers: Headers; body: string };

const SDK_HEADER = "x-inngest-sdk";
const NO_RETRY_HEADER = "x-inngest-no-retry";
const VERSION_HEADER = "x-inngest-req-version";
const RETRY_AFTER_HEADER = "retry-after";

/** The final document of a streamed (`201`) response: the real response, wrapped. */
const streamedSchema = z.object({
  status: z.number().int(),
  headers: z.record(z.string(), z.unknown()).nullish(),
  body: z.unknown(),
  version: z.number().optional(),
});

/**
 * Interpret an SDK's response to a call request, per the Inngest wire protocol: `200` finished,
 * `206` ops, `201` streamed (the real response is inside), anything else an error. A 2xx without
 * `X-Inngest-SDK` did not come from an SDK and is a retriable error; so is a malformed body. A 2xx
 * body nested deeper than MAX_JSON_DEPTH is a non-retriable `JsonTooDeep` error, and one holding a
 * lone UTF-16 surrogate a non-retriable `TextNotUnicode` error: the run could never send such a
 * value back in a (canonicalised, signed) call request.
 */
export function interpretSdkResponse(res: RawResponse, nowMs: number): SdkResponse {
  const isSuccess = res.status >= 200 && res.status < 300;
  if (isSuccess && !res.headers.has(SDK_HEADER)) {
    return invalid(
      res,
      `The response (HTTP ${res.status}) did not come from an Inngest SDK: it has no X-Inngest-SDK ` +
        "header. Check that the app URL points at the inngest serve() handler.",
    );
  }
  if (isSuccess && jsonNestsDeeperThan(res.body, MAX_JSON_DEPTH)) return tooDeep(res);
  if (isSuccess && holdsLoneSurrogate(res.body)) return notUnicode(res);
  switch (res.status) {
    case 200:
      return withVersion({ kind: "complete", output: parseOutput(res.body) }, res.headers);
    case 201:
      return interpretStreamed(res, nowMs);
    case 206:
      return interpretOps(res, nowMs);
  }
  if (isSuccess) return invalid(res, `Unexpected HTTP ${res.status} from the SDK`);
  return withVersion(
    withRetryAfter(
      {
        kind: "error",
        status: res.status,
        error: parseErrorBody(res.status, res.body),
        retriable: !isNoRetry(res.headers),
      },
      res.headers,
      nowMs,
    ),
    res.headers,
  );
}

/** A `200` body is the function's return value; empty means `undefined` → `null`. */
function parseOutput(body: string): unknown {
  if (body.trim() === "") return null;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function interpretOps(res: RawResponse, nowMs: number): SdkResponse {
  const parsed = parseOps(res.body);
  if (typeof parsed === "string") return invalid(res, `Invalid 206 response from the SDK: ${parsed}`);
  return withVersion(withRetryAfter({ kind: "ops", ops: parsed, noRetry: isNoRetry(res.headers) }, res.headers, nowMs), res.headers);
}

/** The ops of a `206` body (an array, a single op from old SDKs, or `[]`), or what is wrong. */
function parseOps(body: string): Op[] | string {
  if (body.trim() === "") return "the body is empty";
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return "the body is not JSON";
  }
  const items = Array.isArray(json) ? json : typeof json === "object" && json !== null ? [json] : undefined;
  if (!items) return `the body is ${json === null ? "null" : typeof json}, not an op or an array of ops`;
  const ops: Op[] = [];
  for (const [index, item] of items.entries()) {
    const op = opSchema.safeParse(item);
    if (!op.success) {
      const issues = op.error.issues.map((issue) => `${issue.path.join(".") || "op"}: ${issue.message}`);
      return `op ${index} is invalid (${issues.join("; ")})`;
    }
    ops.push(op.data);
  }
  return ops;
}

/**
 * A streamed response is `201` with the common headers, whitespace heartbeats, then one JSON
 * document `{status, headers, body, version?}` carrying the real response. Its `body` is the real
 * body as a JSON string (so the body ends up JSON-encoded twice on the wire); its headers are laid
 * over the outer ones, as the Inngest server does.
 */
function interpretStreamed(res: RawResponse, nowMs: number): SdkResponse {
  let json: unknown;
  try {
    json = JSON.parse(res.body.trim());
  } catch {
    return invalid(res, "Invalid streamed (201) response from the SDK: the final document is not JSON");
  }
  const doc = streamedSchema.safeParse(json);
  if (!doc.success) {
    return invalid(res, "Invalid streamed (201) response from the SDK: expected {status, headers, body}");
  }
  const { status, headers: inner, body, version } = doc.data;
  if (status === 201) {
    return invalid(res, "Invalid streamed (201) response from the SDK: it wraps another streamed response");
  }
  const headers = new Headers(res.headers);
  for (const [name, value] of Object.entries(inner ?? {})) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      headers.set(name, String(value));
    }
  }
  if (!headers.has(VERSION_HEADER) && version !== undefined) headers.set(VERSION_HEADER, String(version));
  const realBody = typeof body === "string" ? body : body === undefined ? "" : JSON.stringify(body);
  return interpretSdkResponse({ status, headers, body: realBody }, nowMs);
}

/** The SDK's serialised error if the body is one, else the status and the start of the body. */
function parseErrorBody(status: number, body: string): SerializedError {
  try {
    const parsed = serializedErrorSchema.safeParse(JSON.parse(body));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON: described below.
  }
  return runError("AppHttpError", `HTTP ${status}: ${body.slice(0, ERROR_BODY_PREVIEW_CHARS)}`);
}

/**
 * A 2xx whose body nests deeper than MAX_JSON_DEPTH: storage could never hold its values, so the
 * run fails at once instead of retrying an answer that would come back the same.
 */
function tooDeep(res: RawResponse): SdkResponse {
  const message =
    tooDeepMessage(`The SDK's answer (HTTP ${res.status})`, MAX_JSON_DEPTH) + "; return or pass step outputs, events and payloads that nest less deeply";
  return withVersion({ kind: "error", status: res.status, error: runError("JsonTooDeep", message), retriable: false }, res.headers);
}

/** Whether a JSON text holds a lone surrogate; only a `\udXXX` escape can put one there. */
function holdsLoneSurrogate(body: string): boolean {
  if (!/\\u[dD][89a-fA-F]/.test(body)) return false;
  try {
    return loneSurrogatePath(JSON.parse(body)) !== null;
  } catch {
    // Not JSON: the protocol checks below say what is wrong with it.
    return false;
  }
}

function notUnicode(res: RawResponse): SdkResponse {
  const message =
    `The SDK's answer (HTTP ${res.status}) holds text that is not valid Unicode (a lone UTF-16 surrogate); ` +
    "return or pass step outputs, events and payloads made of whole characters";
  return withVersion({ kind: "error", status: res.status, error: runError("TextNotUnicode", message), retriable: false }, res.headers);
}

/** A retriable error for a response that does not follow the protocol (wrong URL, proxy, bug). */
function invalid(res: RawResponse, message: string): SdkResponse {
  return withVersion({ kind: "error", status: res.status, error: runError("InvalidSdkResponse", message), retriable: true }, res.headers);
}

/** `X-Inngest-No-Retry: true` is authoritative; any other value, or none, allows a retry. */
function isNoRetry(headers: Headers): boolean {
  return headers.get(NO_RETRY_HEADER) === "true";
}

/** `X-Inngest-Req-Version` when it is an integer: the execution version the SDK chose. */
function withVersion<T extends SdkResponse>(response: T, headers: Headers): T {
  const raw = headers.get(VERSION_HEADER);
  if (raw !== null && /^-?\d+$/.test(raw)) response.version = Number(raw);
  return response;
}

/** Adds `retryAfterMs` when `Retry-After` holds integer seconds or a date (ISO 8601 or HTTP). */
function withRetryAfter<T extends SdkResponse & { retryAfterMs?: number }>(response: T, headers: Headers, nowMs: number): T {
  const raw = headers.get(RETRY_AFTER_HEADER);
  if (raw === null) return response;
  if (/^\d+$/.test(raw)) {
    response.retryAfterMs = Number(raw) * 1000;
  } else {
    const at = parseTimestampMs(raw);
    if (at !== undefined) response.retryAfterMs = Math.max(0, at - nowMs);
  }
  return response;
}

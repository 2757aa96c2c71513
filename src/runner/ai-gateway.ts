/**
 * `step.ai.infer` (the SDK's `AIGateway` op): the server sends the inference request to the
 * provider URL the SDK names and stores the provider's answer as the step's output, as Inngest
 * does. The request's key never reaches storage or history: the call row keeps only the URL
 * without its query (Gemini carries the key there) and the format; key, headers and body stay in
 * this object's memory. When the memory is gone (the run's object was evicted during a backoff),
 * the call replays the function once to get the op, and the key, from the SDK again.
 * @module
 */
import { AI_KEY_REDACT_MIN_CHARS, MAX_FETCH_RESPONSE_BYTES } from "../constants";
import { runError, type RunError } from "../errors";
import { OutboundRefusedError, type OutboundPolicy } from "../net/outbound";
import { fetchBounded } from "./bounded-fetch";
import type { CallOutcome } from "../runs/decide";
import { aiRequestOf, providerRequest, storedAiRequest, type AiRequest } from "../runs/ai-request";

/** The values that must not be stored: the key and every header value (a provider may echo them). */
function secretsOf(request: AiRequest): string[] {
  return [request.authKey, ...Object.values(request.headers)].filter((s) => s.length >= AI_KEY_REDACT_MIN_CHARS);
}

/** `text` with every secret replaced, so a provider that echoes a key does not get it stored. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("[redacted]");
  return out;
}

/** JSON when the text is JSON, else the text itself. */
function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function stepError(stepId: string, error: RunError, noRetry: boolean): CallOutcome {
  return { kind: "ops", noRetry, ops: [{ id: stepId, op: "StepError", error }] };
}

/**
 * Makes one inference request and reports it as a step: `StepRun` with the provider's JSON
 * answer, or a `StepError` named `AIGatewayError` carrying the answer in `data`, retried with the
 * step's retries and backoff like a failed step whatever the status (a 4xx included), as Inngest
 * does. A refused URL (`PrivateUrlRefused`) or an answer over MAX_FETCH_RESPONSE_BYTES
 * (`StepOutputTooLarge`) fails the step at once. Every stored text has the key redacted.
 */
export async function performAiRequest(stepId: string, request: AiRequest, policy: OutboundPolicy, fetcher: typeof fetch = fetch): Promise<CallOutcome> {
  const secrets = secretsOf(request);
  const shown = storedAiRequest(request).url;
  try {
    const res = await fetchBounded(providerRequest(request), policy, fetcher);
    if (res === null) {
      const message = `step.ai.infer to ${shown} answered with a body over ${MAX_FETCH_RESPONSE_BYTES} bytes, the most a step's output may hold`;
      return stepError(stepId, runError("StepOutputTooLarge", message), true);
    }
    const text = redact(res.text, secrets);
    if (res.status >= 200 && res.status <= 299) return { kind: "ops", noRetry: false, ops: [{ id: stepId, op: "StepRun", data: parseBody(text) }] };
    const error = { ...runError("AIGatewayError", `Error making AI request: unsuccessful status code: ${res.status}`), data: parseBody(text) };
    return stepError(stepId, error, false);
  } catch (err) {
    const reason = redact(err instanceof Error ? err.message : String(err), secrets);
    if (err instanceof OutboundRefusedError) return stepError(stepId, runError("PrivateUrlRefused", `step.ai.infer refused: ${reason}`), true);
    return stepError(stepId, runError("AIGatewayError", `Error making AI request to ${shown}: ${reason}`), false);
  }
}

/** One run's `step.ai.infer` requests: their secrets in memory, and the requests themselves. */
export class AiGateway {
  readonly #requests = new Map<string, AiRequest>();

  constructor(
    private readonly policy: OutboundPolicy,
    private readonly fetcher: typeof fetch = fetch,
  ) {}

  /** Keeps the request of every valid `AIGateway` op in an SDK answer, by step id. */
  observe(outcome: CallOutcome): void {
    if (outcome.kind !== "ops") return;
    for (const op of outcome.ops) {
      if (op.op !== "AIGateway") continue;
      const request = aiRequestOf(op);
      if (!("invalid" in request)) this.#requests.set(op.id, request);
    }
  }

  /**
   * Makes the request of step `stepId`. Without it in memory, `replay` asks the SDK for the op
   * again (a discovery request): a failed replay is this attempt's outcome (retried like any
   * failed call), and an answer without the op fails the step, since retrying cannot bring it back.
   */
  async perform(stepId: string, replay: () => Promise<CallOutcome>): Promise<CallOutcome> {
    if (!this.#requests.has(stepId)) {
      const again = await replay();
      if (again.kind === "error" || again.kind === "unreachable") return again;
      this.observe(again);
    }
    const request = this.#requests.get(stepId);
    if (!request) {
      const message = `the app no longer reports step.ai.infer "${stepId}" when its function is replayed, so its request cannot be made`;
      return stepError(stepId, runError("AIGatewayError", message), true);
    }
    const outcome = await performAiRequest(stepId, request, this.policy, this.fetcher);
    const failedAttempt = outcome.kind === "ops" && !outcome.noRetry && outcome.ops[0]?.op === "StepError";
    if (!failedAttempt) this.#requests.delete(stepId);
    return outcome;
  }
}

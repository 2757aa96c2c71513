/**
 * The errors stepflare itself records on runs and steps, in one closed set. Each has a stable
 * `name` (what the SDK, the dashboard and the REST API show) and a `code` that scripts can match
 * on; the message says what happened in the user's words. Errors thrown by the app keep whatever
 * name the SDK sent: these are only the ones the server decides.
 * @module
 */
import type { SerializedError } from "./protocol/serialized-error";

/** Every server-made error name, with its stable code. */
export const RUN_ERRORS = {
  /** The app could not be reached (connection refused, DNS, reset, no answer in time). */
  AppUnreachable: "app_unreachable",
  /** A run reported more steps than MAX_STEPS_PER_RUN allows. */
  StepLimitExceeded: "step_limit_exceeded",
  /** A step's output is larger than the server keeps. */
  StepOutputTooLarge: "step_output_too_large",
  /** The SDK answered with no steps and no result. */
  EmptyResponse: "empty_response",
  /** An op the SDK sent cannot be carried out as given. */
  InvalidStep: "invalid_step",
  /** A `step.fetch` request failed or was refused. */
  GatewayError: "gateway_error",
  /** A `step.fetch` URL (or a redirect it led to) is not public, and production mode refuses it. */
  PrivateUrlRefused: "private_url_refused",
  /** `step.invoke` got no answer from the child run in time (Inngest's own name). */
  InngestInvokeTimeoutError: "invoke_timeout",
  /** The run was cancelled (Inngest's own name). */
  FunctionCancelledError: "function_cancelled",
} as const;

/** A server-made error name. */
export type RunErrorName = keyof typeof RUN_ERRORS;

/** A server-made error as stored and reported: the SDK's error shape plus its `code`. */
export interface RunError extends SerializedError {
  name: RunErrorName;
  code: (typeof RUN_ERRORS)[RunErrorName];
}

/** Builds the stored form of a server-made error. */
export function runError(name: RunErrorName, message: string): RunError {
  return { name, code: RUN_ERRORS[name], message };
}

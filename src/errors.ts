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
  /** The run's events, step results and output together outgrew MAX_RUN_STATE_BYTES (Inngest: 32 MiB). */
  RunStateTooLarge: "run_state_too_large",
  /** The SDK answered with no steps and no result. */
  EmptyResponse: "empty_response",
  /** The app answered with something that is not the SDK protocol (wrong URL, a proxy, a bug). */
  InvalidSdkResponse: "invalid_sdk_response",
  /** The app failed with an HTTP error whose body is not an SDK error (its status and start are kept). */
  AppHttpError: "app_http_error",
  /** An op the SDK sent cannot be carried out as given. */
  InvalidStep: "invalid_step",
  /** A `step.fetch` request failed or was refused. */
  GatewayError: "gateway_error",
  /** A `step.fetch` URL (or a redirect it led to) is not public, and production mode refuses it. */
  PrivateUrlRefused: "private_url_refused",
  /** `step.invoke` got no answer from the child run in time (Inngest's own name). */
  InngestInvokeTimeoutError: "invoke_timeout",
  /** A request to the app ran past the longest a call may last (MAX_CALL_DURATION_MS) and was aborted. */
  StepDurationExceeded: "step_duration_exceeded",
  /** The run was cancelled (Inngest's own name). */
  FunctionCancelledError: "function_cancelled",
  /**
   * `step.invoke` named a function that is not synced. Named as the SDK's own non-retriable
   * error, so the SDK fails the step at once instead of retrying a call that cannot succeed.
   */
  NonRetriableError: "invoke_function_not_found",
  /** A run's stored state was written by a version whose shape this one cannot read; the run fails. */
  StoredStateUnreadable: "stored_state_unreadable",
  /** The SDK answered with JSON nested deeper than MAX_JSON_DEPTH (a step output, an event, a payload). */
  JsonTooDeep: "json_too_deep",
  /** Storage refused a value of the run for good (too large or too deep for it); retrying cannot help. */
  StorageRefused: "storage_refused",
  /** `step.invoke` would nest deeper than MAX_INVOKE_DEPTH invokes (a function invoking itself without end). */
  InvokeDepthExceeded: "invoke_depth_exceeded",
  /** The SDK answered text that is not Unicode (bytes that are not UTF-8, or a lone UTF-16 surrogate in a step output, an event, a payload). */
  TextNotUnicode: "text_not_unicode",
  /**
   * The SDK asked for something this server does not support yet (such as `defer()`); the run ends rather than silently skipping it. Not retried.
   */
  UnsupportedFeature: "unsupported_feature",
  /** A `step.ai.infer` request failed (Inngest's own name): the provider answered non-2xx or could not be reached. */
  AIGatewayError: "ai_gateway_error",
  /** `step.waitForSignal` with `onConflict: "fail"` named a signal another run is already waiting for. */
  SignalConflict: "signal_conflict",
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

import type { CallRequest } from "./call-request";
import type { RunRow } from "../runs/run-rows";
import type { RunStore } from "../runs/run-store";
import type { Call } from "../runs/transition";

/** Methods whose requests carry no body (fetch refuses one). */
const BODYLESS = new Set(["GET", "HEAD"]);

/**
 * The request that resumes a durable endpoint run: the endpoint's original request again (method,
 * URL with its query, body and content type) plus `X-Run-ID` and `X-Inngest-Signature`, which
 * together tell the SDK's endpoint wrapper that the server is calling. The SDK then fetches the
 * run's state from `/v0/runs/:id/actions` and `/batch` instead of reading it from the body.
 * Without a signing key the signature header is present but empty, as the SDK expects from a dev
 * server; with one, the transport signs the body.
 */
export function buildEndpointCallRequest(store: RunStore, run: RunRow, call: Call): CallRequest {
  const method = run.endpoint_method ?? "POST";
  const data = store.events()[0]?.data ?? {};
  const body = !BODYLESS.has(method) && typeof data["body"] === "string" ? data["body"] : "";
  const contentType = typeof data["content_type"] === "string" && data["content_type"] !== "" ? data["content_type"] : "application/json";
  const headers: Record<string, string> = { "Content-Type": contentType, "X-Inngest-Signature": "" };
  if (run.force_step_plan === 1) headers["X-Inngest-Force-Step-Plan"] = "true";
  return { url: run.step_url, body, runId: run.id, stepId: call.target, version: run.version, method, headers };
}

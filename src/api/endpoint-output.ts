/**
 * The answer `GET /v1/http/runs/:id/output` gives for an ended durable endpoint run: the HTTP
 * response the endpoint made (status, headers, body), as the SDK recorded it in `RunComplete`.
 * @module
 */
import { z } from "zod";
import { storedResultSchema } from "../runs/stored-run-json";
import { readStoredJson } from "../util/stored-json";

/** The response the SDK records as a durable endpoint's output (`{status, headers, body}`). */
const apiResultSchema = z.looseObject({
  status: z.number().int().min(200).max(599),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
});

/** Headers that describe one transfer of a body, not the body: the platform sets its own. */
const HOP_HEADERS = new Set(["content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding"]);

/** Statuses whose responses may carry no body. */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/**
 * The response for a run's stored result (`{"output":...}` or `{"error":...}`): the recorded
 * endpoint response when the output is one, any other output as JSON, and a failed or cancelled
 * run's error as a 500 with `{error, name}`.
 */
export function outputResponse(resultJson: string): Response {
  const read = readStoredJson(storedResultSchema, resultJson);
  if (!read.ok) return Response.json({ error: `the run's result cannot be read: ${read.error}`, status: 500 }, { status: 500 });
  const result = read.value as { output?: unknown; error?: { name?: string; message?: string } };
  if (!("output" in result)) {
    const error = result.error ?? {};
    return Response.json({ error: error.message ?? "the run failed", name: error.name ?? "Error", status: 500 }, { status: 500 });
  }
  const recorded = apiResultSchema.safeParse(result.output);
  if (!recorded.success) return Response.json(result.output ?? null);
  const headers = new Headers();
  for (const [name, value] of Object.entries(recorded.data.headers ?? {})) {
    if (!HOP_HEADERS.has(name.toLowerCase())) {
      try {
        headers.set(name, value);
      } catch {
        // A header name or value the platform refuses is left out rather than failing the answer.
      }
    }
  }
  const status = recorded.data.status;
  return new Response(NULL_BODY_STATUSES.has(status) ? null : (recorded.data.body ?? ""), { status, headers });
}

/**
 * Streaming durable endpoints after a hand-over (src/realtime/run-stream.ts says how the two
 * sides meet): `POST /v1/realtime/publish/tee?channel=<run id>`, where the app sends each of the
 * run's requests' stream, and the SSE answer a caller holding the run's token gets from
 * `GET /v1/realtime/sse` — the relayed events as the SDK wrote them, ended by the run's response.
 * When the run ends without that response reaching the caller (cancelled, failed on the server,
 * or the caller connected after it was relayed), the response is made from the stored result.
 * @module
 */
import type { Context } from "hono";
import {
  ENDPOINT_STREAM_MAX_BYTES,
  ENDPOINT_STREAM_MAX_OPEN_TEES,
  ENDPOINT_STREAM_RESULT_POLL_MAX_MS,
  ENDPOINT_STREAM_RESULT_POLL_MIN_MS,
  ENDPOINT_STREAM_TEE_MAX_MS,
  REALTIME_MAX_MESSAGE_BYTES,
} from "../constants";
import type { Env } from "../env";
import { isResponseEvent } from "../realtime/run-stream";
import { closeSocket, openSse } from "../realtime/sse";
import { storedResultSchema } from "../runs/stored-run-json";
import { readStoredJson } from "../util/stored-json";
import { outputResponse } from "./endpoint-output";
import { runIdSchema } from "./endpoint-run";
import { describeIssues, fail } from "./respond";

type Ctx = Context<{ Bindings: Env }>;

/** `POST /v1/realtime/publish/tee?channel=<run id>`: one request's stream of a durable endpoint run, relayed to its caller. */
export async function teeRoute(c: Ctx): Promise<Response> {
  const channel = runIdSchema.safeParse(c.req.query("channel"));
  if (!channel.success) return fail(c, 400, `channel: ${describeIssues(channel.error)} (a durable endpoint run's id)`);
  const runId = channel.data.toUpperCase();
  if ((await c.env.RUNS.getByName(runId).status()) === null) return fail(c, 404, `no run ${runId}`);
  const body = c.req.raw.body ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
  const outcome = await c.env.REALTIME.getByName(runId).publishTee(body);
  switch (outcome.ended) {
    case "complete":
      return c.json({ data: { bytes: outcome.bytes } });
    case "too-large":
      return fail(
        c,
        413,
        `durable endpoint stream is over ${ENDPOINT_STREAM_MAX_BYTES} bytes or has an event over ${REALTIME_MAX_MESSAGE_BYTES} bytes; ` +
          `its caller got the events before that and gets the run's result when it ends`,
      );
    case "body-failed":
      return fail(c, 400, `the stream's body failed after ${outcome.bytes} bytes; its caller got the whole events before that`);
    case "run-ended":
      return fail(c, 409, "the run's response was already sent to its caller: the rest of this stream was not relayed");
    case "timed-out":
      return fail(c, 408, `a durable endpoint stream is relayed for at most ${ENDPOINT_STREAM_TEE_MAX_MS / 1000} s`);
    case "too-many":
      return fail(
        c,
        429,
        `this run already has ${outcome.open} streams relayed (at most ${ENDPOINT_STREAM_MAX_OPEN_TEES} at once): ` +
          `this one was not relayed; its caller gets the run's response when it comes`,
      );
  }
}

/** The `inngest.response` event the SDK's `fetchWithStream` ends on, made from a run's stored result. */
export async function storedResponseEvent(resultJson: string): Promise<string> {
  const read = readStoredJson(storedResultSchema, resultJson);
  const failed = !read.ok || !("output" in read.value);
  const res = outputResponse(resultJson);
  const response = { body: await res.text(), headers: Object.fromEntries(res.headers), statusCode: res.status };
  return `event: inngest.response\ndata: ${JSON.stringify({ status: failed ? "failed" : "succeeded", response })}\n\n`;
}

/**
 * The SSE answer for a run's stream, fed by `socket` (a subscription to the run's stream topic):
 * each relayed event as it is, ended after the run's response. `result` reads the run's stored
 * result; see ENDPOINT_STREAM_RESULT_POLL_MIN_MS for when it answers in the app's place.
 */
export function endpointStreamSse(socket: WebSocket, result: () => Promise<string | null>): Response {
  let poll: ReturnType<typeof setTimeout> | null = null;
  let ended = false;
  const sse = openSse(() => {
    ended = true;
    clearTimeout(poll);
    closeSocket(socket);
  });
  let answered = false;
  const answer = (event: string) => {
    if (answered) return;
    sse.write(event);
    if (isResponseEvent(event)) {
      answered = true;
      sse.finish();
    }
  };
  socket.addEventListener("message", (event) => {
    if (typeof event.data === "string") answer(event.data);
  });
  socket.addEventListener("close", sse.finish);
  socket.addEventListener("error", sse.finish);
  socket.accept();
  // Seen ended at the first look (the caller came late) or at two looks in a row.
  let looks = 0;
  let seenEnded = false;
  let pause = ENDPOINT_STREAM_RESULT_POLL_MIN_MS;
  const look = async () => {
    looks++;
    const stored = await result().catch(() => null);
    if (answered || ended) return;
    if (stored !== null && (looks === 1 || seenEnded)) return answer(await storedResponseEvent(stored));
    seenEnded = stored !== null;
    poll = setTimeout(() => void look(), pause);
    pause = Math.min(pause * 2, ENDPOINT_STREAM_RESULT_POLL_MAX_MS);
  };
  void look();
  return sse.response;
}

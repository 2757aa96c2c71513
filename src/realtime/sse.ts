/**
 * SSE subscriptions (`GET /v1/realtime/sse`), bridged in the Worker: the Worker opens an ordinary
 * hibernatable WebSocket subscription on the channel's object and writes each message it gets as
 * an SSE event (`data: <message>\n\n`, Inngest's framing). So the object keeps one code path
 * and can hibernate between messages; only the Worker's idle request stays open, which costs no
 * CPU while it waits.
 * @module
 */
import { REALTIME_SSE_KEEPALIVE_MS, REALTIME_SSE_MAX_DURATION_MS } from "../constants";

const encoder = new TextEncoder();

/** Headers of an SSE answer, as Inngest sends them. */
const SSE_HEADERS = {
  "Content-Type": "text/event-stream",
  "Cache-Control": "no-cache",
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "Content-Type",
};

/** An SSE answer being written: text written reaches the client as it is. */
export interface SseWriter {
  /** The answer to return; its body is what is written. */
  response: Response;
  /** Writes `text` (whole SSE events or comment lines) unless the answer has ended. */
  write(text: string): void;
  /** Ends the answer; runs the `onEnd` given to {@link openSse} once. */
  finish(): void;
}

/**
 * An SSE answer with a comment line every REALTIME_SSE_KEEPALIVE_MS, ended after
 * REALTIME_SSE_MAX_DURATION_MS or when its reader goes away; `onEnd` runs once when it ends.
 */
export function openSse(onEnd: () => void): SseWriter {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  let open = true;
  const finish = () => {
    if (!open) return;
    open = false;
    clearInterval(keepalive);
    clearTimeout(deadline);
    onEnd();
    writer.close().catch(() => {});
  };
  // A write fails once the reader has gone: that is how a departed SSE client is noticed.
  const write = (text: string) => {
    if (open) void writer.write(encoder.encode(text)).catch(finish);
  };
  const keepalive = setInterval(() => write(":\n\n"), REALTIME_SSE_KEEPALIVE_MS);
  const deadline = setTimeout(finish, REALTIME_SSE_MAX_DURATION_MS);
  // Sent at once so that the client sees the subscription open before any message is published.
  write(":\n\n");
  return { response: new Response(readable, { headers: SSE_HEADERS }), write, finish };
}

/** Closes a subscription's socket, which may already be closed. */
export function closeSocket(socket: WebSocket): void {
  try {
    socket.close(1000, "subscription ended");
  } catch {
    // The socket is already closed.
  }
}

/**
 * The SSE answer fed by `socket` (a subscription's accepted client end): one event per message
 * (`data: <message>`), ended when the socket closes or the answer ends (see {@link openSse}). A
 * reader that goes away closes the socket.
 */
export function sseFromSocket(socket: WebSocket): Response {
  const sse = openSse(() => closeSocket(socket));
  socket.addEventListener("message", (event) => {
    if (typeof event.data === "string") sse.write(`data: ${event.data}\n\n`);
  });
  socket.addEventListener("close", sse.finish);
  socket.addEventListener("error", sse.finish);
  socket.accept();
  return sse.response;
}

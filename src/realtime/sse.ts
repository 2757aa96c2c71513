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

/**
 * The SSE answer fed by `socket` (a subscription's accepted client end): one event per message,
 * a comment line every REALTIME_SSE_KEEPALIVE_MS, and the end of the stream when the socket
 * closes or after REALTIME_SSE_MAX_DURATION_MS. A reader that goes away closes the socket.
 */
export function sseFromSocket(socket: WebSocket): Response {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  let open = true;
  const finish = () => {
    if (!open) return;
    open = false;
    clearInterval(keepalive);
    clearTimeout(deadline);
    try {
      socket.close(1000, "subscription ended");
    } catch {
      // The socket is already closed.
    }
    writer.close().catch(() => {});
  };
  // A write fails once the reader has gone: that is how a departed SSE client is noticed.
  const write = (text: string) => void writer.write(encoder.encode(text)).catch(finish);
  const keepalive = setInterval(() => write(":\n\n"), REALTIME_SSE_KEEPALIVE_MS);
  const deadline = setTimeout(finish, REALTIME_SSE_MAX_DURATION_MS);
  socket.addEventListener("message", (event) => {
    if (open && typeof event.data === "string") write(`data: ${event.data}\n\n`);
  });
  socket.addEventListener("close", finish);
  socket.addEventListener("error", finish);
  socket.accept();
  // Sent at once so that the client sees the subscription open before any message is published.
  write(":\n\n");
  return new Response(readable, { headers: SSE_HEADERS });
}

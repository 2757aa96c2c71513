/**
 * A channel's subscribers, held by its RealtimeObject as hibernatable WebSockets: each socket is
 * tagged with the topics its token grants, so a publish reaches exactly those sockets and an idle
 * channel's object can be evicted from memory while its sockets stay open. Nothing is stored: a
 * message is delivered to whoever is connected when it is published, as with Inngest.
 * @module
 */
import { z } from "zod";
import { REALTIME_MAX_TOPICS } from "../constants";
import { realtimeName } from "./token";

/** A subscriber's topics, which become its socket's tags: distinct, and no more than a socket may carry. */
const subscriberTopics = z
  .array(realtimeName)
  .min(1)
  .max(REALTIME_MAX_TOPICS)
  .refine((topics) => new Set(topics).size === topics.length, "topics must be distinct");

/** The part of a Durable Object's state the subscriber functions use. */
export type SocketHost = Pick<DurableObjectState, "acceptWebSocket" | "getWebSockets">;

/** The internal URL a Worker sends a channel's object to open a subscription for `topics`. */
export function subscribeUrl(topics: string[]): string {
  const url = new URL("https://realtime.internal/subscribe");
  for (const topic of topics) url.searchParams.append("topic", topic);
  return url.toString();
}

/**
 * Opens a subscriber's WebSocket for the topics the internal `request` names (already checked
 * against its token by the Worker) and answers the upgrade with the client end.
 */
export function acceptSubscriber(host: SocketHost, request: Request): Response {
  const topics = subscriberTopics.safeParse(new URL(request.url).searchParams.getAll("topic"));
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket" || !topics.success) {
    return new Response(`expected a WebSocket upgrade naming 1 to ${REALTIME_MAX_TOPICS} distinct topics`, { status: 400 });
  }
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  try {
    host.acceptWebSocket(server, topics.data);
  } catch {
    // The runtime's cap on one object's WebSockets (32,768 on Cloudflare): a clear refusal, not a crash.
    return new Response("this channel has as many subscribers as one Durable Object can hold; try again later", { status: 429 });
  }
  return new Response(null, { status: 101, webSocket: client });
}

/** Sends `message` to every subscriber of `topic`; answers how many sockets it was handed to. */
export function fanOut(host: SocketHost, topic: string, message: string): number {
  let sent = 0;
  for (const socket of host.getWebSockets(topic)) {
    try {
      socket.send(message);
      sent++;
    } catch {
      // A socket closing as we send: its close handler is about to run; the others still get the message.
    }
  }
  return sent;
}

/** Completes a subscriber's close handshake with the code and reason it sent. */
export function closeSubscriber(socket: WebSocket, code: number, reason: string): void {
  try {
    // 1005 and 1006 are reserved: they may be reported but never sent.
    socket.close(code === 1005 || code === 1006 ? 1000 : code, reason);
  } catch {
    // Already closed: nothing left to do.
  }
}

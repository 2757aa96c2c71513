/**
 * One realtime channel: its subscribers' hibernatable WebSockets, tagged by topic. The object
 * only wakes to accept a subscriber, fan out a publish or answer a close; between those its
 * sockets stay open without it in memory. The logic is in src/realtime/subscribers.ts.
 * @module
 */
import { DurableObject } from "cloudflare:workers";
import { ENDPOINT_STREAM_MAX_OPEN_TEES } from "../src/constants";
import type { Env } from "../src/env";
import { publishedMessages, publishQuery, type PublishedMessage, type PublishTarget } from "../src/realtime/message";
import { publishStream, type StreamOutcome } from "../src/realtime/stream-publish";
import { relayTee, RUN_STREAM_TOPIC } from "../src/realtime/run-stream";
import { acceptSubscriber, closeSubscriber, fanOut } from "../src/realtime/subscribers";
import { teeBody, type TeeAnswer } from "../src/realtime/tee-limit";
import { parseRpcArgs } from "../src/util/rpc-args";

/** A channel's subscribers; named by the channel name. */
export class RealtimeObject extends DurableObject<Env> {
  /**
   * Aborted once a durable endpoint run's response has been relayed on this (the run's) channel:
   * streams of its earlier requests that the SDK left open are then cut. In memory only: an
   * object evicted meanwhile leaves them to ENDPOINT_STREAM_TEE_MAX_MS.
   */
  #runEnded = new AbortController();
  /** Tees being relayed now; in memory is enough, as an object with a call under way is not evicted. */
  #openTees = 0;

  /** Opens a subscription (an internal WebSocket upgrade from the Worker). */
  override fetch(request: Request): Response {
    return acceptSubscriber(this.ctx, request);
  }

  /** Delivers one message per topic to that topic's subscribers; answers the sockets reached. */
  publish(messages: PublishedMessage[]): number {
    messages = parseRpcArgs(publishedMessages, messages, "RealtimeObject.publish");
    return messages.reduce((sent, { topic, message }) => sent + fanOut(this.ctx, topic, message), 0);
  }

  /** Delivers a streamed publish to the subscribers of its one topic as it arrives. */
  publishStream(target: PublishTarget, body: ReadableStream<Uint8Array>): Promise<StreamOutcome> {
    const { channel, topics, run_id } = parseRpcArgs(publishQuery, target, "RealtimeObject.publishStream");
    return publishStream({ channel, run_id }, topics[0]!, body, (message) => fanOut(this.ctx, topics[0]!, message), Date.now());
  }

  /**
   * Relays one request's stream of a durable endpoint run (this channel is the run's) to its
   * caller; refused unread past ENDPOINT_STREAM_MAX_OPEN_TEES open at once.
   */
  async publishTee(body: ReadableStream<Uint8Array>): Promise<TeeAnswer> {
    body = parseRpcArgs(teeBody, body, "RealtimeObject.publishTee");
    if (this.#openTees >= ENDPOINT_STREAM_MAX_OPEN_TEES) {
      await body.cancel().catch(() => {});
      return { ended: "too-many", open: this.#openTees };
    }
    this.#openTees++;
    const runEnded = this.#runEnded;
    try {
      return await relayTee(
        body,
        (event) => fanOut(this.ctx, RUN_STREAM_TOPIC, event),
        runEnded.signal,
        () => runEnded.abort(),
      );
    } finally {
      this.#openTees--;
    }
  }

  /** Subscribers send nothing the server acts on (the SDK never does); their messages are ignored. */
  override webSocketMessage(): void {}

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    closeSubscriber(ws, code, reason);
  }
}

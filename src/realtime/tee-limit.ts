/**
 * The cap on a run's open tees (ENDPOINT_STREAM_MAX_OPEN_TEES): what the realtime object answers
 * for a tee, and the check of its argument.
 * @module
 */
import { z } from "zod";
import type { TeeOutcome } from "./run-stream";

/** A tee's answer: how it ended (src/realtime/run-stream.ts), or refused unread because `open` tees of the run are already relayed. */
export type TeeAnswer = TeeOutcome | { ended: "too-many"; open: number };

/** `RealtimeObject.publishTee`'s argument: the request's body, read as it arrives (its chunks are bytes, as a request body's are). */
export const teeBody = z.custom<ReadableStream<Uint8Array>>((value) => value instanceof ReadableStream, "a ReadableStream of bytes");

/**
 * Request bodies read with a size cap, as strict UTF-8, and JSON with a depth limit: the one way
 * every public route reads its body. A body declared larger than the cap is refused before any of
 * it is read, and one that turns out larger (no `Content-Length`, or a wrong one) is refused as
 * soon as the cap is passed, so an oversized request never sits whole in the isolate's memory.
 * Bytes that are not UTF-8 are refused, never replaced, so what is stored is what was sent.
 * @module
 */
import type { Context } from "hono";
import { MAX_JSON_DEPTH, MAX_REQUEST_BODY_BYTES } from "../constants";
import { jsonNestsDeeperThan, tooDeepMessage } from "./json-depth";
import { readBounded } from "./read-bounded";
import { decodeUtf8Strictly, utf8Bytes } from "./utf8";
import { heldBodyText } from "./in-process-body";
import { loneSurrogatePath } from "./well-formed";

/** Why a body was refused: 413 over its cap, 400 for anything wrong with its content. */
export type BodyRefusal = { ok: false; status: 400 | 413; error: string };

/** The body as text, or why it was refused. */
export type BodyText = { ok: true; text: string } | BodyRefusal;

/** The body parsed as JSON (`undefined` when empty), or why it was refused. */
export type BodyJson = { ok: true; value: unknown } | BodyRefusal;

/** Why a body was refused, in the words every 413 answer uses. */
function tooLarge(what: string, max: number): BodyRefusal {
  return { ok: false, status: 413, error: `request body ${what}; the limit is ${max} bytes` };
}

/** The answer to bytes that are not UTF-8. */
const NOT_UTF8: BodyRefusal = { ok: false, status: 400, error: "request body is not valid UTF-8" };

/**
 * Reads a byte stream as strict UTF-8 text, stopping once it is over `max` bytes. `declared` is
 * the sender's `Content-Length`, if any: a larger one is refused without reading.
 */
export async function readStreamText(body: ReadableStream<Uint8Array> | null, declared: string | null | undefined, max: number): Promise<BodyText> {
  if (declared != null && /^\d+$/.test(declared) && Number(declared) > max) {
    // Not a byte is read. The body is not cancelled either: cancelling resets the connection
    // while the sender is still writing, and it would see that instead of the 413.
    return tooLarge(`is ${declared} bytes`, max);
  }
  const read = await readBounded(body, max);
  if (!read.ok) return tooLarge(`is over ${max} bytes`, max);
  const text = decodeUtf8Strictly(read.bytes);
  return text === null ? NOT_UTF8 : { ok: true, text };
}

/**
 * Reads the request body as UTF-8 text, refusing it once it is over `max` bytes. A body an
 * in-process caller built from a string is that string (src/util/in-process-body.ts).
 */
export function readBodyText(c: Context, max = MAX_REQUEST_BODY_BYTES): Promise<BodyText> {
  const held = heldBodyText(c.req.raw);
  if (held !== undefined) return Promise.resolve(utf8Bytes(held) > max ? tooLarge(`is over ${max} bytes`, max) : { ok: true, text: held });
  return readStreamText(c.req.raw.body, c.req.header("content-length"), max);
}

/**
 * Parses `text` as JSON after checking it nests at most MAX_JSON_DEPTH levels; an empty text is
 * `undefined`, for schemas with defaults. `what` names the text in the error.
 */
export function parseJsonText(text: string, what = "request body"): BodyJson {
  if (text.trim() === "") return { ok: true, value: undefined };
  if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) return { ok: false, status: 400, error: tooDeepMessage(what, MAX_JSON_DEPTH) };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, status: 400, error: `${what} is not valid JSON` };
  }
}

/** Reads the request body (at most `max` bytes, strict UTF-8) and parses it as JSON of bounded depth. */
export async function readJsonBody(c: Context, max = MAX_REQUEST_BODY_BYTES): Promise<BodyJson> {
  const body = await readBodyText(c, max);
  return body.ok ? parseJsonText(body.text) : body;
}

/**
 * `body`, or its refusal when a string or key in it holds a lone UTF-16 surrogate (a `\udXXX`
 * escape without its pair). Such text is not Unicode: it cannot be stored as sent, and a run
 * whose state held it could never be canonicalised into a signed call request again.
 */
export function refuseLoneSurrogates(body: BodyJson, what = "request body"): BodyJson {
  if (!body.ok) return body;
  const path = loneSurrogatePath(body.value);
  if (path === null) return body;
  const where = path.length === 0 ? "" : ` at ${path.map(String).join(".")}`;
  return { ok: false, status: 400, error: `${what}${where} contains a lone UTF-16 surrogate; text must be valid Unicode` };
}

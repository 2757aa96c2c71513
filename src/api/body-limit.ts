/**
 * Request bodies read with a size cap: a body declared larger than the cap is refused before any
 * of it is read, and one that turns out larger (no `Content-Length`, or a wrong one) is refused as
 * soon as the cap is passed, so an oversized request never sits whole in the isolate's memory.
 * @module
 */
import type { Context } from "hono";
import { MAX_REQUEST_BODY_BYTES } from "../constants";

/** The body as text, or how it broke the cap. */
export type BodyText = { ok: true; text: string } | { ok: false; error: string };

/** Why a body was refused, in the words every 413 answer uses. */
function tooLarge(what: string, max: number): BodyText {
  return { ok: false, error: `request body ${what}; the limit is ${max} bytes` };
}

/** Reads the request body as UTF-8 text, refusing it once it is over `max` bytes. */
export async function readBodyText(c: Context, max = MAX_REQUEST_BODY_BYTES): Promise<BodyText> {
  const declared = c.req.header("content-length");
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > max) {
    return tooLarge(`is ${declared} bytes`, max);
  }
  const body = c.req.raw.body;
  if (body === null) return { ok: true, text: "" };
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let bytes = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > max) {
      await reader.cancel();
      return tooLarge(`is over ${max} bytes`, max);
    }
    text += decoder.decode(value, { stream: true });
  }
  return { ok: true, text: text + decoder.decode() };
}

/**
 * Reading a body we did not write (an app's answer, a `step.fetch` response, a form) with a byte
 * cap, so that an answer of any size costs at most the cap in memory: reading stops, and the rest
 * of the stream is cancelled, as soon as one byte more than the cap has arrived.
 * @module
 */

/** The bytes of a body, or how far reading got before it passed the cap. */
export type BoundedRead = { ok: true; bytes: Uint8Array } | { ok: false; readBytes: number };

/**
 * Reads `body` whole if it is at most `maxBytes` long. A longer one is not kept: reading stops
 * once the cap is passed and the stream is cancelled, so the sender stops sending.
 */
export async function readBounded(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<BoundedRead> {
  if (body === null) return { ok: true, bytes: new Uint8Array(0) };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // A failing cancel (the stream already errored) changes nothing about the answer.
      await reader.cancel().catch(() => undefined);
      return { ok: false, readBytes: total };
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return { ok: true, bytes: chunks[0]! };
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}

/**
 * {@link readBounded}, decoded as UTF-8 the way `Response.text()` does (malformed bytes become
 * U+FFFD): for answers whose text is kept as the app sent it, not validated.
 */
export async function readBoundedText(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<{ ok: true; text: string } | { ok: false; readBytes: number }> {
  const read = await readBounded(body, maxBytes);
  return read.ok ? { ok: true, text: new TextDecoder().decode(read.bytes) } : read;
}

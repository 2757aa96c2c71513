/**
 * UTF-8 sizes of strings, which is what Cloudflare's row and value limits count. Computed without
 * encoding, so measuring a multi-megabyte value allocates nothing.
 * @module
 */

/** UTF-8 bytes of the code point starting at `text[i]`, and how many code units it spans. */
function codePointAt(text: string, i: number): { bytes: number; units: number } {
  const code = text.charCodeAt(i);
  if (code < 0x80) return { bytes: 1, units: 1 };
  if (code < 0x800) return { bytes: 2, units: 1 };
  if (code >= 0xd800 && code <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return { bytes: 4, units: 2 };
  }
  // Other BMP characters, and lone surrogates, which storage keeps as U+FFFD (3 bytes).
  return { bytes: 3, units: 1 };
}

/** The UTF-8 length of `text` in bytes. */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length;) {
    const cp = codePointAt(text, i);
    bytes += cp.bytes;
    i += cp.units;
  }
  return bytes;
}

/** The UTF-8 length of a value serialised as JSON (`undefined` counts as `null`). */
export function jsonBytes(value: unknown): number {
  return utf8Bytes(JSON.stringify(value) ?? "null");
}

/**
 * Splits `text` into pieces of at most `maxBytes` UTF-8 bytes each, never inside a code point.
 * An empty string is one empty piece, so it can still be stored and read back.
 */
export function splitUtf8(text: string, maxBytes: number): string[] {
  if (maxBytes < 4) throw new RangeError("a piece must hold at least one code point (4 bytes)");
  const pieces: string[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < text.length;) {
    const cp = codePointAt(text, i);
    if (bytes + cp.bytes > maxBytes) {
      pieces.push(text.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += cp.bytes;
    i += cp.units;
  }
  if (start < text.length || pieces.length === 0) pieces.push(text.slice(start));
  return pieces;
}

/** The bytes as UTF-8 text, or null when they are not valid UTF-8 (nothing is replaced). */
export function decodeUtf8Strictly(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Converts CEL results into plain JavaScript values that callers can compare, hash or store
 * as JSON without knowing the library's runtime types.
 * @module
 */

/**
 * Maps a CEL value to a plain value:
 * - int and uint (bigint in the library) become numbers when they fit exactly, and decimal
 *   strings otherwise, so a large ID used as a key keeps every digit;
 * - maps become plain objects and lists become arrays, recursively;
 * - timestamps become ISO 8601 strings, the form they take in JSON;
 * - other library values become their text form: durations `"300s"`, types `"Type<int>"`;
 * - strings, doubles, booleans, null and bytes (Uint8Array) pass through.
 */
export function toPlainValue(value: unknown): unknown {
  if (value === null || typeof value !== "object") return plainScalar(value);
  if (value instanceof Uint8Array) return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value) || value instanceof Set) return Array.from(value, toPlainValue);
  if (value instanceof Map) return plainObject(value.entries());
  if (Object.getPrototypeOf(value) === Object.prototype) return plainObject(Object.entries(value));
  // Remaining library classes: uint values unwrap to a bigint, the rest print as text.
  const primitive: unknown = value.valueOf();
  return typeof primitive === "bigint" ? plainScalar(primitive) : String(value);
}

function plainScalar(value: unknown): unknown {
  if (typeof value !== "bigint") return value;
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
}

function plainObject(entries: Iterable<[unknown, unknown]>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    // defineProperty rather than assignment: a "__proto__" key from user data must stay data.
    Object.defineProperty(result, String(key), {
      value: toPlainValue(item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}

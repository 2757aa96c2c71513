/**
 * RFC 8785 JSON Canonicalization Scheme (JCS) serialisation.
 * @module
 */
import canonicalize from "canonicalize";

/**
 * Serialise `value` as RFC 8785 canonical JSON: keys sorted by UTF-16 code units, no whitespace,
 * ECMAScript number formatting.
 *
 * Call request bodies must be sent in this form: the SDK verifies the signature over
 * `canonicalize(JSON.parse(body))`, so a body that is not already canonical fails verification.
 * Throws a `TypeError` for values JSON cannot represent (`undefined`, functions, symbols), and
 * the library's error for `NaN`, `Infinity`, circular references and lone surrogates.
 */
export function canonicalJson(value: unknown): string {
  const json = canonicalize(value);
  if (json === undefined) {
    throw new TypeError(`Cannot serialise a value of type ${typeof value} as JSON`);
  }
  return json;
}

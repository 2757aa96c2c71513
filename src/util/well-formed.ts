/**
 * Whether JSON values are valid Unicode. A lone UTF-16 surrogate (`"\ud800"` in JSON) cannot be
 * stored as sent, canonicalised (RFC 8785) for a signature or checksum, or shown; every value the
 * server takes in is checked with this before it is kept.
 * @module
 */

/** The path of the first string or key holding a lone surrogate, or null when there is none. */
export function loneSurrogatePath(value: unknown, path: PropertyKey[] = []): PropertyKey[] | null {
  if (typeof value === "string") return value.isWellFormed() ? null : path;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = loneSurrogatePath(item, [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (!key.isWellFormed()) return [...path, key.toWellFormed()];
      const found = loneSurrogatePath(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

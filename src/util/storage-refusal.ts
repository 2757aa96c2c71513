/**
 * Telling a storage error that retrying cannot fix from one that may pass. SQLite (in D1 and in a
 * Durable Object) refuses a value that is too large (`SQLITE_TOOBIG`, a D1 row over 2 MB) or JSON
 * nested deeper than its JSON functions allow, and the same value is refused on every retry: the
 * work it belongs to must end with a recorded error instead.
 * @module
 */

/**
 * Whether `err` is storage refusing a value for good. The platform reports D1 and Durable Object
 * SQLite errors only as an `Error` whose message carries SQLite's words (no code or subclass to
 * test), so this one function reads the message; everything else classifies by type.
 */
export function isPermanentStorageError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const text = `${err.message} ${err.cause instanceof Error ? err.cause.message : ""}`;
  return /SQLITE_TOOBIG|string or blob too big|malformed JSON|JSON nested too deep/i.test(text);
}

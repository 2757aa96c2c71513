import { STORAGE_CHUNK_BYTES } from "../constants";
import { splitUtf8 } from "../util/utf8";

/**
 * Splits a string into chunks that each fit a storage row: measured in UTF-8 bytes, which is what
 * the 2 MB row limit counts, and never cutting a character.
 */
export function chunkString(value: string, maxBytes = STORAGE_CHUNK_BYTES): string[] {
  return splitUtf8(value, maxBytes);
}

/** Writes a string under `key` in the `blobs` table, replacing any earlier value. */
export function writeBlob(sql: SqlStorage, key: string, value: string): void {
  sql.exec("DELETE FROM blobs WHERE key = ?", key);
  chunkString(value).forEach((data, chunk) => {
    sql.exec("INSERT INTO blobs (key, chunk, data) VALUES (?, ?, ?)", key, chunk, data);
  });
}

/** Reads the string stored under `key`, or null when there is none. */
export function readBlob(sql: SqlStorage, key: string): string | null {
  const rows = sql.exec<{ data: string }>("SELECT data FROM blobs WHERE key = ? ORDER BY chunk", key).toArray();
  return rows.length === 0 ? null : rows.map((r) => r.data).join("");
}

/** UTF-8 bytes stored under every key except `except`: what a run's state weighs. */
export function blobBytes(sql: SqlStorage, except: string[]): number {
  const placeholders = except.map(() => "?").join(", ");
  const where = except.length === 0 ? "" : `WHERE key NOT IN (${placeholders})`;
  return sql.exec<{ n: number | null }>(`SELECT sum(length(CAST(data AS BLOB))) AS n FROM blobs ${where}`, ...except).one().n ?? 0;
}

import { STORAGE_CHUNK_CHARS } from "../constants";

/** Splits a string into chunks that each fit a storage row, never cutting a surrogate pair. */
export function chunkString(value: string, size = STORAGE_CHUNK_CHARS): string[] {
  const chunks: string[] = [];
  let start = 0;
  while (start < value.length) {
    let end = Math.min(start + size, value.length);
    const last = value.charCodeAt(end - 1);
    if (end < value.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    chunks.push(value.slice(start, end));
    start = end;
  }
  return chunks.length > 0 ? chunks : [""];
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

/**
 * Event search by a field of the event: `data.userId=42`, `user.email="a@b.c"`, `data.vip=true`
 * (asked for in inngest/inngest#360). Values are JSON when they parse as JSON, else plain text.
 * @module
 */

/** A parsed field filter: the SQLite JSON path into the stored event and the value to equal. */
export interface FieldFilter {
  /** The path as the user wrote it, e.g. `data.items[0].sku`. */
  path: string;
  /** The SQLite JSON path, every key quoted, e.g. `$."data"."items"[0]."sku"`. */
  jsonPath: string;
  value: unknown;
}

/** A key is anything but the characters that delimit keys, indexes and the value. */
const SEGMENT = /^(?:([^.[\]"=\s]+)|\[(\d+)\])/;

/** Why a filter did not parse, worded for the person who typed it. */
export class FieldFilterError extends Error {
  override readonly name = "FieldFilterError";
}

/** Parses `path=value`; throws {@link FieldFilterError} naming what is wrong. */
export function parseFieldFilter(text: string): FieldFilter {
  const eq = text.indexOf("=");
  if (eq < 0) throw new FieldFilterError(`expected <path>=<value>, e.g. data.userId=42; got "${text}"`);
  const path = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1).trim();
  return { path, jsonPath: toJsonPath(path), value: parseValue(raw) };
}

function toJsonPath(path: string): string {
  let rest = path;
  let jsonPath = "$";
  let first = true;
  while (rest.length > 0) {
    if (!first && rest.startsWith(".")) rest = rest.slice(1);
    const match = SEGMENT.exec(rest);
    if (!match || (first && match[2] !== undefined)) {
      throw new FieldFilterError(`"${path}" is not a field path; write it like data.user.id or data.items[0]`);
    }
    jsonPath += match[1] !== undefined ? `."${match[1]}"` : `[${match[2]}]`;
    rest = rest.slice(match[0].length);
    first = false;
  }
  if (first) throw new FieldFilterError("the field path is empty; write it like data.userId=42");
  return jsonPath;
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/**
 * The SQL condition (and values) matching events whose field equals the filter's value. A
 * number also matches the same digits stored as a string, since ids often arrive as either.
 */
export function fieldCondition(column: string, filter: FieldFilter): { sql: string; values: unknown[] } {
  const { jsonPath, value } = filter;
  if (value === null) return { sql: `json_type(${column}, ?) = 'null'`, values: [jsonPath] };
  if (typeof value === "boolean") return { sql: `json_type(${column}, ?) = ?`, values: [jsonPath, String(value)] };
  if (typeof value === "number") {
    return { sql: `json_extract(${column}, ?) IN (?, ?)`, values: [jsonPath, value, String(value)] };
  }
  if (typeof value === "string") return { sql: `json_extract(${column}, ?) = ?`, values: [jsonPath, value] };
  // Objects and arrays: json_extract returns them minified, as JSON.stringify writes them.
  return { sql: `json_extract(${column}, ?) = ?`, values: [jsonPath, JSON.stringify(value)] };
}

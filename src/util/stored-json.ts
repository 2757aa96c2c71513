/**
 * Reading JSON back from Durable Object storage. Runs outlive deploys, so a value written by an
 * older version may no longer have the shape the code expects: every read goes through a schema,
 * and a value that does not parse is reported as such instead of flowing on as a wrong type.
 * @module
 */
import { z } from "zod";

/** The outcome of reading one stored JSON value. */
export type StoredRead<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses `text` as JSON and then with `schema`; malformed JSON and a wrong shape both come back as `ok: false`. */
export function readStoredJson<S extends z.ZodType>(schema: S, text: string): StoredRead<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: z.prettifyError(parsed.error) };
}

/**
 * A stored value that no longer parses. Thrown by stores so the object's shell can end the work
 * it belongs to with a recorded error (a run fails) rather than retrying it forever.
 */
export class UnreadableStateError extends Error {
  override readonly name = "UnreadableStateError";
  /** The table the value is in. */
  readonly table: string;
  /** Its key in that table (a blob key, a column name, an outbox `seq`). */
  readonly key: string;

  constructor(where: StoredPlace, detail: string) {
    super(`stored ${where.table} "${where.key}" cannot be read by this version: ${detail}`);
    this.table = where.table;
    this.key = where.key;
  }
}

/** Where a stored value lives. */
export interface StoredPlace {
  table: string;
  key: string;
}

/** Like {@link readStoredJson}, but throws {@link UnreadableStateError} naming where the value is. */
export function parseStoredJson<S extends z.ZodType>(schema: S, text: string, where: StoredPlace): z.output<S> {
  const read = readStoredJson(schema, text);
  if (!read.ok) throw new UnreadableStateError(where, read.error);
  return read.value;
}

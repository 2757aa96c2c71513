/**
 * A WHERE clause assembled from optional filters, with its bound values kept in order.
 * @module
 */

/** Conditions joined with AND; each adds its own `?` placeholders and values. */
export class Where {
  readonly #conditions: string[] = [];
  readonly #values: unknown[] = [];

  /** Adds `condition` (using `?` placeholders) bound to `values`. */
  add(condition: string, ...values: unknown[]): this {
    this.#conditions.push(condition);
    this.#values.push(...values);
    return this;
  }

  /** `WHERE a AND b`, or an empty string without conditions. */
  sql(): string {
    return this.#conditions.length === 0 ? "" : `WHERE ${this.#conditions.map((c) => `(${c})`).join(" AND ")}`;
  }

  /** The bound values, in placeholder order. */
  values(): unknown[] {
    return [...this.#values];
  }
}

/** Where a newest-first page continues: the time and id of the last row already returned. */
export interface Keyset {
  at: number;
  id: string;
}

/**
 * Restricts a newest-first list to rows strictly after `keyset`, ordering by `(time, id)` so rows
 * that share a timestamp are neither skipped nor repeated between pages.
 */
export function afterKeyset(where: Where, timeColumn: string, idColumn: string, keyset: Keyset | undefined): Where {
  if (!keyset) return where;
  return where.add(`${timeColumn} < ? OR (${timeColumn} = ? AND ${idColumn} < ?)`, keyset.at, keyset.at, keyset.id);
}

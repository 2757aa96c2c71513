/** Where an equality wait looks: a path in the run's trigger event and one in the incoming event. */
export interface EqualityKey {
  eventPath: string;
  asyncPath: string;
}

const PATH = String.raw`[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*`;
const COMPARISON = new RegExp(String.raw`^\s*(event|async)\.(${PATH})\s*==\s*(event|async)\.(${PATH})\s*(?:&&(.*))?$`, "s");

/**
 * Finds the equality an expression requires, when it has the shape `event.x == async.y` (the form
 * the SDK writes for `match`), either way round, optionally followed by `&& <more conditions>`.
 * Returns null for any other shape, including one with `||` or `?` after the equality, where the
 * equality would not be required for a match.
 */
export function equalityKey(expression: string): EqualityKey | null {
  const m = COMPARISON.exec(expression);
  if (!m) return null;
  const [, leftRoot, leftPath, rightRoot, rightPath, rest] = m;
  if (leftRoot === rightRoot) return null;
  if (rest !== undefined && /\|\||\?/.test(rest)) return null;
  return leftRoot === "event" ? { eventPath: leftPath!, asyncPath: rightPath! } : { eventPath: rightPath!, asyncPath: leftPath! };
}

/** The JSON of a scalar at a dotted path, or null when there is no scalar there to index by. */
export function indexValueAt(value: unknown, path: string): string | null {
  let current: unknown = value;
  for (const part of path.split(".")) {
    if (typeof current !== "object" || current === null || Array.isArray(current)) return null;
    current = (current as Record<string, unknown>)[part];
  }
  if (typeof current === "string" || typeof current === "boolean") return JSON.stringify(current);
  // Numbers index by value: 3 and 3.0 are the same JSON number.
  if (typeof current === "number" && Number.isFinite(current)) return JSON.stringify(current);
  return null;
}

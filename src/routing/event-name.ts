/**
 * Event-name matching for function triggers, with Inngest's wildcard rules.
 *
 * Inngest allows a wildcard only as the last segment, right after a `/` or `.`: `app/*`,
 * `app/user.*`. The Go server (`event_trigger_patterns.GenerateMatchingPatterns`) matches by
 * listing, for an event name, the name itself plus `<prefix>/*` for every `/` in it and
 * `<prefix>.*` for every `.` in it, and looking triggers up by those strings. Consequences kept here:
 * - `app/*` matches `app/user.created` and `app/a/b` (any depth), and `app/` itself.
 * - A `*` anywhere else is a literal character: `app/user*` matches only the name `app/user*`,
 *   and a bare `*` matches only an event literally named `*`, never every event.
 * - Nothing special is done for `inngest/`: `inngest/*` matches system events.
 * Because a wildcard is always a trailing prefix test, no regular expression is needed: matching
 * is one comparison or one `startsWith`, with nothing to compile or cache.
 * @module
 */

/**
 * The literal prefix a wildcard trigger stands for (`app/*` → `app/`), or null when `pattern` is
 * not a wildcard and only matches itself.
 */
export function wildcardPrefix(pattern: string): string | null {
  return pattern.endsWith("/*") || pattern.endsWith(".*") ? pattern.slice(0, -1) : null;
}

/** Whether the trigger `pattern` matches the event `name`, exactly or by a trailing wildcard. */
export function eventNameMatches(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  const prefix = wildcardPrefix(pattern);
  return prefix !== null && name.startsWith(prefix);
}

/**
 * Every trigger pattern that matches `name`: the name itself, then `<prefix>/*` for each `/` and
 * `<prefix>.*` for each `.` in it. Lets a trigger index keyed by pattern answer "which functions
 * does this event start" with a few exact lookups instead of testing every trigger.
 */
export function matchingPatterns(name: string): string[] {
  const patterns = new Set<string>([name]);
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === "/" || c === ".") patterns.add(`${name.slice(0, i + 1)}*`);
  }
  return [...patterns];
}

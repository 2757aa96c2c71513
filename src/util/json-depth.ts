/**
 * How deep a JSON text nests, found by a scan of its brackets outside strings before it is
 * parsed. SQLite's JSON functions refuse values nested deeper than 1000 levels, and the server
 * wraps what it receives a few levels deeper (system events, history, routing batches), so a value
 * must be refused at intake, well under that limit, rather than fail later on every retry.
 * @module
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether `text` opens more than `max` objects or arrays inside one another. The scan only counts
 * brackets outside strings (one pass, no allocation): a text that is not JSON at all is left for
 * `JSON.parse` to refuse. `{}` is one level, `{"a":[1]}` two.
 */
export function jsonNestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === BACKSLASH) i++;
      else if (ch === QUOTE) inString = false;
    } else if (ch === QUOTE) {
      inString = true;
    } else if (ch === OPEN_BRACE || ch === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (ch === CLOSE_BRACE || ch === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** The words every refusal of a too-deep value uses, prefixed with what the value is. */
export function tooDeepMessage(what: string, max: number): string {
  return `${what} is nested deeper than ${max} levels of objects and arrays, the most accepted`;
}

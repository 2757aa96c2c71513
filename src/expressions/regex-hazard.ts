/**
 * Refuses regular expressions that JavaScript's backtracking engine can take exponential time
 * on. Inngest evaluates `matches()` with RE2, which runs in linear time and has no
 * backreferences or lookaround; here patterns run on the JavaScript engine, which cannot be
 * interrupted, so the classic catastrophic shapes are refused before they run.
 * @module
 */

/** Patterns already judged, so a pattern read from event data is analysed once, not per event. */
const judged = new Map<string, string | null>();
/** Most verdicts remembered; the map is cleared when full, as verdicts are cheap to recompute. */
const MAX_JUDGED = 1_000;

/**
 * Why `pattern` is refused, or null when it is allowed: backreferences and lookaround (which RE2,
 * and so Inngest, does not support), and a repeated group that itself contains a repeat, such as
 * `(a+)+` or `(\w+\s?)*`, whose matches can overlap exponentially.
 */
export function regexHazard(pattern: string): string | null {
  const known = judged.get(pattern);
  if (known !== undefined) return known;
  const verdict = judge(pattern);
  if (judged.size >= MAX_JUDGED) judged.clear();
  judged.set(pattern, verdict);
  return verdict;
}

function judge(pattern: string): string | null {
  if (/\\[1-9]|\\k</.test(pattern)) return "regular expression uses a backreference, which is not supported";
  if (/\(\?<?[=!]/.test(pattern)) return "regular expression uses lookaround, which is not supported";
  // For each open group: whether it contains an unbounded repeat.
  const groups: boolean[] = [];
  let repeatedInside = false;
  let lastGroupRepeats = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "\\") {
      i++;
      lastGroupRepeats = false;
    } else if (ch === "[") {
      i = endOfClass(pattern, i);
      lastGroupRepeats = false;
    } else if (ch === "(") {
      groups.push(repeatedInside);
      repeatedInside = false;
      lastGroupRepeats = false;
    } else if (ch === ")") {
      lastGroupRepeats = repeatedInside;
      repeatedInside = (groups.pop() ?? false) || repeatedInside;
    } else if (isUnboundedRepeat(pattern, i)) {
      if (lastGroupRepeats) {
        return "regular expression repeats a group that itself repeats (such as (a+)+), which can take exponential time";
      }
      repeatedInside = true;
    } else {
      lastGroupRepeats = false;
    }
  }
  return null;
}

/** Index of the `]` closing the character class opened at `start`. */
function endOfClass(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === "^") i++;
  if (pattern[i] === "]") i++;
  for (; i < pattern.length; i++) {
    if (pattern[i] === "\\") i++;
    else if (pattern[i] === "]") return i;
  }
  return pattern.length;
}

/** Whether `pattern[i]` starts `*`, `+` or a `{n,}` / `{n,m}` repeat allowing more than one. */
function isUnboundedRepeat(pattern: string, i: number): boolean {
  const ch = pattern[i];
  if (ch === "*" || ch === "+") return true;
  if (ch !== "{") return false;
  const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 24));
  if (!match?.[2]) return false;
  return match[3] === "" || Number(match[3]) > 1;
}

/**
 * `matches()` on RE2 (through `re2js`, a JavaScript port of it), as CEL specifies and Inngest's
 * cel-go runs it: RE2 syntax, matching anywhere in the text, in time linear in the text for a
 * given pattern, so no pattern, however it nests or overlaps (`(a|a)*`, `(\w+\s?)*$`), can make
 * an evaluation backtrack for ever. What is left to bound is the size of the compiled pattern:
 * matching costs about (program size × text length), and compiling costs about the program
 * size, so a pattern whose program could be large is refused before it is compiled.
 * @module
 */
import { RE2JS, RE2JSException } from "re2js";
import { EXPRESSION_MAX_REGEX_LENGTH, EXPRESSION_MAX_REGEX_PROGRAM, EXPRESSION_REGEX_STEPS_PER_UNIT } from "../constants";

/** A pattern ready to run, or why it is refused: not RE2 syntax, or too large to compile. */
export type CompiledRegex = { ok: true; regex: RE2JS } | { ok: false; reason: "syntax" | "limit"; error: string };

/** Patterns already compiled or refused, so a pattern read from event data is compiled once. */
const compiled = new Map<string, CompiledRegex>();
/** Most patterns remembered; the map is cleared when full, as any entry is cheap to rebuild. */
const MAX_COMPILED = 500;

/** The pattern compiled by RE2, or why it is refused; remembered per isolate. */
export function compileRegex(pattern: string): CompiledRegex {
  const known = compiled.get(pattern);
  if (known !== undefined) return known;
  const result = compileFresh(pattern);
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  compiled.set(pattern, result);
  return result;
}

function compileFresh(pattern: string): CompiledRegex {
  if (pattern.length > EXPRESSION_MAX_REGEX_LENGTH) {
    return { ok: false, reason: "limit", error: `regular expression is ${pattern.length} characters long; the most allowed is ${EXPRESSION_MAX_REGEX_LENGTH}` };
  }
  const estimate = estimatedProgramSize(pattern);
  if (estimate > EXPRESSION_MAX_REGEX_PROGRAM) return tooLarge(estimate);
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(pattern);
  } catch (error) {
    // Only syntax is judged here; anything else is a bug worth seeing.
    if (!(error instanceof RE2JSException)) throw error;
    return { ok: false, reason: "syntax", error: `invalid regular expression (RE2 syntax): ${error.message}` };
  }
  // The estimate is a guide for counted repeats; the compiled size is what matching costs.
  if (regex.programSize() > EXPRESSION_MAX_REGEX_PROGRAM) return tooLarge(regex.programSize());
  return { ok: true, regex };
}

function tooLarge(size: number): CompiledRegex {
  return {
    ok: false,
    reason: "limit",
    error: `regular expression compiles to about ${size} instructions (counted repeats such as {1000} multiply); the most allowed is ${EXPRESSION_MAX_REGEX_PROGRAM}`,
  };
}

/** Cost units of running `regex` over `text` once: its program size times the text's length. */
export function regexMatchCost(regex: RE2JS, text: string): number {
  return Math.ceil((regex.programSize() * (text.length + 1)) / EXPRESSION_REGEX_STEPS_PER_UNIT);
}

/** Whether `regex` matches anywhere in `text`, as CEL's `matches()` (RE2's partial match). */
export function regexMatches(regex: RE2JS, text: string): boolean {
  return regex.test(text);
}

/** One level of grouping while estimating: finished alternatives, the current one, its last atom. */
interface Frame {
  alternatives: number;
  current: number;
  last: number;
}

/**
 * An upper estimate of the instructions RE2 compiles `pattern` to, read from its text without
 * parsing it: one per atom and per operator, counted repeats multiplying what they repeat. It
 * keeps a pattern like `[a-z]{1000}` repeated a hundred times (100,000 instructions, seconds to
 * compile) from reaching the compiler; RE2 itself refuses nested counts over 1000.
 */
export function estimatedProgramSize(pattern: string): number {
  const stack: Frame[] = [];
  let frame: Frame = { alternatives: 0, current: 0, last: 0 };
  const atom = (size: number) => {
    frame.current += size;
    frame.last = size;
  };
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "\\") {
      const end = endOfEscape(pattern, i);
      // `\Q...\E` quotes one literal per character; every other escape is one atom.
      atom(pattern[i + 1] === "Q" ? Math.max(1, end - i - 3) : 1);
      i = end;
    } else if (ch === "[") {
      i = endOfClass(pattern, i);
      atom(1);
    } else if (ch === "(") {
      const flags = /^\(\?[imsU-]*\)/.exec(pattern.slice(i, i + 16));
      if (flags) {
        i += flags[0].length - 1;
        continue;
      }
      stack.push(frame);
      frame = { alternatives: 0, current: 0, last: 0 };
    } else if (ch === ")") {
      const size = frame.alternatives + frame.current + 2;
      frame = stack.pop() ?? { alternatives: 0, current: 0, last: 0 };
      atom(size);
    } else if (ch === "|") {
      frame.alternatives += frame.current + 1;
      frame.current = 0;
      frame.last = 0;
    } else if (ch === "*" || ch === "+" || ch === "?") {
      frame.current += 1;
    } else if (ch === "{") {
      const count = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 24));
      if (!count) {
        atom(1);
        continue;
      }
      // x{n} copies x n times; x{n,m} adds a split per optional copy; x{n,} ends in x*.
      const least = Number(count[1]);
      const most = count[2] === undefined ? least : count[3] ? Number(count[3]) : least + 1;
      const copies = Math.max(least, most, 1);
      frame.current += frame.last * (copies - 1) + (most - least);
      frame.last *= copies;
      i += count[0].length - 1;
    } else {
      atom(1);
    }
  }
  while (stack.length > 0) {
    const size = frame.alternatives + frame.current;
    frame = stack.pop()!;
    frame.current += size;
  }
  return frame.alternatives + frame.current + 2;
}

/** Index of the last character of the escape starting at `start` (`\d`, `\x{41}`, `\p{Greek}`, `\Q...\E`). */
function endOfEscape(pattern: string, start: number): number {
  const next = pattern[start + 1];
  if ((next === "p" || next === "P" || next === "x") && pattern[start + 2] === "{") {
    const close = pattern.indexOf("}", start + 3);
    return close === -1 ? pattern.length : close;
  }
  if (next === "Q") {
    const end = pattern.indexOf("\\E", start + 2);
    return end === -1 ? pattern.length : end + 1;
  }
  return start + 1;
}

/** Index of the `]` closing the character class opened at `start`, `[:alpha:]` included. */
function endOfClass(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === "^") i++;
  if (pattern[i] === "]") i++;
  for (; i < pattern.length; i++) {
    if (pattern[i] === "\\") i++;
    else if (pattern[i] === "[" && pattern[i + 1] === ":") {
      const close = pattern.indexOf(":]", i + 2);
      if (close !== -1) i = close + 1;
    } else if (pattern[i] === "]") return i;
  }
  return pattern.length;
}

/**
 * Turns zod issues from a sync payload into one readable line per problem, naming the function
 * and the field (`function "app-fn": triggers[0].expression: <why>`), because the SDK shows this
 * text to the developer as the reason their sync failed.
 * @module
 */
import type { z } from "zod";

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/** At most this many problems are listed; the rest are counted. */
const MAX_LISTED_ISSUES = 5;
/** Ids longer than this are cut in messages: an over-long id is itself one of the problems. */
const MAX_LABEL_CHARS = 100;
/** Each problem's line is cut to this length, since messages may quote the offending value. */
const MAX_ISSUE_CHARS = 500;

/** Describes the issues of parsing one function config (`input`). */
export function formatFunctionIssues(error: z.ZodError, input: unknown): string {
  const label = functionLabel(input);
  return joinIssues(flattenIssues(error.issues, []).map((issue) => withLabel(label, issue.path, issue.message)));
}

/**
 * Describes the issues of parsing a payload whose function configs sit in `functions`
 * (a register request or an in-band sync response).
 */
export function formatPayloadIssues(error: z.ZodError, input: unknown): string {
  const lines = flattenIssues(error.issues, []).map((issue) => {
    const [head, index, ...rest] = issue.path;
    if (head === "functions" && typeof index === "number") {
      const fn = field(field(input, "functions"), index);
      return withLabel(functionLabel(fn, index), rest, issue.message);
    }
    return withLabel(undefined, issue.path, issue.message);
  });
  return joinIssues(lines);
}

/** `function "<id>"`, or the function's position when its id itself is unusable. */
function functionLabel(fn: unknown, index?: number): string {
  const id = field(fn, "id");
  if (typeof id === "string" && id !== "") {
    return `function "${cut(id, MAX_LABEL_CHARS)}"`;
  }
  return index === undefined ? "function (no id)" : `functions[${index}] (no id)`;
}

/** `text` cut to `max` characters, as well-formed text even when the input was not. */
function cut(text: string, max: number): string {
  return (text.length > max ? `${text.slice(0, max)}…` : text).toWellFormed();
}

function withLabel(label: string | undefined, path: Path, message: string): string {
  const where = renderPath(path);
  return [label, where, message].filter((part) => part !== undefined && part !== "").join(": ");
}

function joinIssues(lines: string[]): string {
  const listed = lines.slice(0, MAX_LISTED_ISSUES).map((line) => cut(line, MAX_ISSUE_CHARS));
  const more = lines.length - listed.length;
  return listed.join("; ") + (more > 0 ? `; and ${more} more` : "");
}

/**
 * Replaces each union failure by the issues of the branch whose shape matched (the one that did
 * not fail on the value's type at its root), so `concurrency: { limit: "x" }` reports the bad
 * `limit` rather than "Invalid input". When no branch matched, lists the accepted types.
 */
function flattenIssues(issues: readonly Issue[], prefix: Path): { path: Path; message: string }[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code !== "invalid_union" || issue.errors.length === 0) return [{ path, message: issue.message }];
    const matched = issue.errors.find((branch) => !branch.some(isRootTypeMismatch));
    if (matched) return flattenIssues(matched, path);
    const expected = issue.errors.flatMap((branch) => branch.filter(isRootTypeMismatch).map((i) => i.expected));
    return [{ path, message: `expected ${[...new Set(expected)].join(" or ")}` }];
  });
}

function isRootTypeMismatch(issue: Issue): issue is z.core.$ZodIssueInvalidType {
  return issue.code === "invalid_type" && issue.path.length === 0;
}

/** `triggers[0].expression`, `steps.step.runtime.url`, `steps["my step"]`. */
function renderPath(path: Path): string {
  return path
    .map((key, i) => {
      if (typeof key === "number") return `[${key}]`;
      const name = String(key);
      if (/^[A-Za-z_$][\w$]*$/.test(name)) return i === 0 ? name : `.${name}`;
      return `[${JSON.stringify(name)}]`;
    })
    .join("");
}

function field(value: unknown, key: PropertyKey): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  return (value as Record<PropertyKey, unknown>)[key];
}

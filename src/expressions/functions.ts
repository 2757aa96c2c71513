/**
 * Inngest's custom expression functions (its `exprenv` overloads), registered on a CEL
 * environment. Functions that cannot produce a value throw; evaluation turns that into an
 * ExpressionError with reason "evaluation".
 * @module
 */
import type { Environment } from "@marcbachmann/cel-js";
import { toDate } from "./date";
import { DurationError, parseDurationMs } from "../time/duration";

/** Registers `lowercase`, `uppercase`, `json_parse`, `date`, `now`, `now_plus` and `now_minus`. */
export function registerInngestFunctions(env: Environment): Environment {
  return env
    .registerFunction("lowercase(string): string", (text: string) => text.toLowerCase())
    .registerFunction("uppercase(string): string", (text: string) => text.toUpperCase())
    .registerFunction("json_parse(string): dyn", parseJson)
    .registerFunction("date(dyn): google.protobuf.Timestamp", toDate)
    .registerFunction("now(): google.protobuf.Timestamp", () => new Date())
    .registerFunction("now_plus(string): google.protobuf.Timestamp", (text: string) => offsetFromNow(text, 1))
    .registerFunction("now_minus(string): google.protobuf.Timestamp", (text: string) => offsetFromNow(text, -1));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RangeError("json_parse() was given invalid JSON");
  }
}

function offsetFromNow(text: string, sign: 1 | -1): Date {
  let ms: number;
  try {
    ms = parseDurationMs(text);
  } catch (err) {
    if (err instanceof DurationError) throw new RangeError(`invalid duration "${text}"`);
    throw err;
  }
  const result = new Date(Date.now() + sign * ms);
  if (Number.isNaN(result.getTime())) throw new RangeError(`duration "${text}" is out of range`);
  return result;
}

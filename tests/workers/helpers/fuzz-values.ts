/**
 * Hostile values for the request fuzzer (tests/workers/fuzz.test.ts), as fast-check arbitraries:
 * strings with lone surrogates, control characters and huge lengths, JSON that is malformed or
 * nested far past any limit, numbers JSON cannot hold, wrong types, and CEL expressions that are
 * expensive to compile or to evaluate. Large texts are described, not built, so that a failing
 * example prints in a line; {@link buildText} builds them when the request is sent.
 * @module
 */
import fc from "fast-check";
import { MAX_EXPRESSION_LENGTH, MAX_JSON_DEPTH, MAX_REQUEST_BODY_BYTES } from "../../../src/constants";

/**
 * A text built at send time: `prefix + unit × count + suffix`; with `numbered`, each `#` of the
 * unit becomes the copy's index, so repeated entries can have distinct ids.
 */
export interface Repeated {
  repeat: { prefix: string; unit: string; count: number; suffix: string; numbered?: true };
}

/** A request body or value as generated: literal text, raw bytes, or a repeated unit. */
export type TextSpec = string | Repeated | { bytes: number[] };

/** The text (or bytes) a {@link TextSpec} stands for. */
export function buildText(spec: TextSpec): string | Uint8Array<ArrayBuffer> {
  if (typeof spec === "string") return spec;
  if ("bytes" in spec) return new Uint8Array(spec.bytes);
  const { prefix, unit, count, suffix, numbered } = spec.repeat;
  if (!numbered) return prefix + unit.repeat(count) + suffix;
  return prefix + Array.from({ length: count }, (_, i) => unit.replaceAll("#", String(i))).join("") + suffix;
}

/** A lone (unpaired) UTF-16 surrogate. */
export const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((n) => String.fromCharCode(n));

/** Short strings mixing ordinary text with control characters, lone surrogates and markup. */
export const nastyString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "\r\n",
    "\t/evil.example",
    "//evil.example",
    "../../etc",
    "%00",
    "%ff",
    "%ed%a0%80",
    "<script>alert(1)</script>",
    "'; DROP TABLE events; --",
    "${7*7}",
    "__proto__",
    "constructor",
    "\u202e",
    "\ufeff",
    "NaN",
    "-1",
    "1e400",
  ),
  fc.tuple(fc.string({ maxLength: 5 }), loneSurrogate, fc.string({ maxLength: 5 })).map(([a, s, b]) => a + s + b),
  fc.string({ unit: "binary", maxLength: 12 }),
);

/** A string too long for any name or id field, built at send time. */
export const hugeString = fc
  .record({ unit: fc.constantFrom("a", "é", "\ud83d\ude00", "\\u0000"), count: fc.constantFrom(513, 4_097, 70_000, 600_000) })
  .map(({ unit, count }): Repeated => ({ repeat: { prefix: "", unit, count, suffix: "" } }));

/** Numbers at the edges: NaN and infinities (as JSON literals JSON does not have), huge and tiny. */
export const edgeNumberLiteral = fc.constantFrom(
  "NaN",
  "Infinity",
  "-Infinity",
  "1e400",
  "-1e400",
  "1e-400",
  "-0",
  "18446744073709551616",
  "0x10",
  "1_000",
  "+1",
  ".5",
  "01",
);

/** A value of a type no field expects, as JSON text. */
export const wrongTypeJson = fc.oneof(
  fc.constantFrom("null", "true", "false", "0", "-1", "[]", "{}", '""', "[[]]", '{"":{}}', "1.5", "9007199254740993"),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? "null"),
  nastyString.map((s) => JSON.stringify(s)),
);

/** Nesting `depth` levels of arrays or objects, as a repeated text. */
function nested(depth: number, kind: "array" | "object", closed: boolean): Repeated {
  const open = kind === "array" ? "[" : '{"a":';
  const close = kind === "array" ? "]" : "}";
  return { repeat: { prefix: "", unit: open, count: depth, suffix: closed ? `1${close.repeat(depth)}` : "1" } };
}

/** Depths around and far past MAX_JSON_DEPTH. */
const depth = fc.constantFrom(MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1, 1_000, 1_100, 10_000, 200_000);

/** JSON nested deeply, at the top or inside a field of an otherwise plausible body. */
export const deepJson = fc
  .record({ depth, kind: fc.constantFrom("array" as const, "object" as const), closed: fc.boolean(), field: fc.constantFrom("", "data", "functions", "steps") })
  .map(({ depth, kind, closed, field }): Repeated => {
    const inner = nested(depth, kind, closed).repeat;
    if (field === "") return { repeat: inner };
    return { repeat: { ...inner, prefix: `{"name":"fuzz/deep","${field}":`, suffix: `${inner.suffix}}` } };
  });

/** Text that is not JSON, or almost JSON. */
export const malformedJson = fc.oneof(
  fc.constantFrom(
    "{",
    "}",
    "[",
    '{"name":',
    '{"name":"a",}',
    "{'name':'a'}",
    '{"name":"a"} trailing',
    "/* c */ {}",
    '{"a":1,"a":2',
    "\u0000",
    '{"name":"\\ud800"}',
    '{"name":"\\x41"}',
    '["\\u12"]',
    '{"name": undefined}',
    "[1,,2]",
    '{"data": {"x": NaN}}',
  ),
  edgeNumberLiteral.map((n) => `{"name":"fuzz/num","data":{"n":${n}},"ts":${n}}`),
  fc.string({ maxLength: 40 }),
);

/** Bytes that are not UTF-8 (stray continuation bytes, overlongs, encoded surrogates), inside JSON. */
export const invalidUtf8 = fc
  .record({
    bad: fc.constantFrom([0xff], [0xfe, 0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xe2, 0x82]),
    at: fc.constantFrom("name", "data", "top"),
  })
  .map(({ bad, at }): { bytes: number[] } => {
    const enc = (s: string) => Array.from(new TextEncoder().encode(s));
    if (at === "top") return { bytes: [...bad, ...enc('{"name":"fuzz/utf8"}')] };
    const before = at === "name" ? '{"name":"fuzz/' : '{"name":"fuzz/utf8","data":{"s":"';
    const after = at === "name" ? '"}' : '"}}';
    return { bytes: [...enc(before), ...bad, ...enc(after)] };
  });

/** A body over MAX_REQUEST_BODY_BYTES, which every route caps at or below. */
export const oversizedBody = fc.constant<Repeated>({
  repeat: { prefix: '{"name":"fuzz/big","data":{"s":"', unit: "x", count: MAX_REQUEST_BODY_BYTES + 1, suffix: '"}}' },
});

/**
 * CEL sources that are costly: to parse (long, deeply nested), to estimate (nested
 * comprehensions), or to evaluate (string doubling in `cel.bind`, big ranges); plus ones that are
 * not CEL at all. Each must be refused with a 4xx or evaluate within the expression budget.
 */
export const expensiveExpression = fc.oneof(
  fc.constantFrom(
    "event.data.x == 1",
    "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, [1,2,3,4,5,6,7,8,9,10].all(f, [1,2,3,4,5,6,7,8,9,10].all(g, [1,2,3,4,5,6,7,8,9,10].all(h, true))))))))",
    "event.data.list.all(a, event.data.list.all(b, event.data.list.all(c, a == b && b == c)))",
    "cel.bind(a, 'xxxxxxxxxxxxxxxx', cel.bind(b, a + a + a + a, cel.bind(c, b + b + b + b, cel.bind(d, c + c + c + c, cel.bind(e, d + d + d + d, cel.bind(f, e + e + e + e, cel.bind(g, f + f + f + f, cel.bind(h, g + g + g + g, size(h + h + h + h) > 0))))))))",
    "event.data.s.matches('(a+)+$')",
    "event.data.s.matches('(')",
    "json_parse(event.data.s).size() > 0",
    "event.name == 'x' ||",
    "event.data[",
    "1 / 0 == 1",
    "size(event.data) > 0 && event.data.missing.deeper.still == 1",
    "lowercase(event.data.s) == uppercase(event.data.s)",
    "now() > date('not a date')",
  ),
  fc.integer({ min: 60, max: 5_000 }).map((n) => "(".repeat(n) + "1" + ")".repeat(n)),
  fc.integer({ min: 100, max: 2_000 }).map((n) => Array.from({ length: n }, (_, i) => `event.data.k${i} == ${i}`).join(" || ")),
  fc.constant("event.data.x == '" + "a".repeat(MAX_EXPRESSION_LENGTH) + "'"),
  fc.string({ maxLength: 30 }),
);

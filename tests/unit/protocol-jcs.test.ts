import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/protocol/jcs";

describe("canonicalJson", () => {
  it("sorts object keys recursively and drops whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it("orders keys by UTF-16 code units, not by locale", () => {
    // RFC 8785 §3.2.3: "\u20ac" (€) sorts before "\ud83d\ude00" (😀) by code unit, and
    // upper case before lower case.
    expect(canonicalJson({ "😀": 1, "€": 2, a: 3, B: 4, "1": 5 })).toBe('{"1":5,"B":4,"a":3,"€":2,"😀":1}');
  });

  it("formats numbers as ECMAScript does", () => {
    expect(canonicalJson([1.0, -0, 1e21, 1e-7, 0.1, 100, 4.5e-3, 333333333.33333329])).toBe("[1,0,1e+21,1e-7,0.1,100,0.0045,333333333.3333333]");
  });

  it("omits undefined members and turns undefined array items into null", () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it("is stable under a parse round trip, which the SDK relies on to verify signatures", () => {
    const body = canonicalJson({ steps: { x: { data: 'é\n"' } }, event: { ts: 1724300000000 } });
    expect(canonicalJson(JSON.parse(body))).toBe(body);
  });

  it("rejects values JSON cannot represent", () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson(Number.NaN)).toThrow();
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow();
  });
});

import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../../src/constants";
import { interpretSdkResponse } from "../../src/protocol/sdk-response";
import { jsonNestsDeeperThan } from "../../src/util/json-depth";

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

describe("jsonNestsDeeperThan", () => {
  it("counts objects and arrays, not scalars", () => {
    expect(jsonNestsDeeperThan("1", 0)).toBe(false);
    expect(jsonNestsDeeperThan("{}", 0)).toBe(true);
    expect(jsonNestsDeeperThan('{"a":[1,{"b":2}]}', 3)).toBe(false);
    expect(jsonNestsDeeperThan('{"a":[1,{"b":2}]}', 2)).toBe(true);
  });

  it("measures the deepest branch, not the total of brackets", () => {
    expect(jsonNestsDeeperThan(`[${Array(500).fill("[[]]").join(",")}]`, 3)).toBe(false);
  });

  it("ignores brackets in strings, escaped quotes included", () => {
    expect(jsonNestsDeeperThan(JSON.stringify({ s: "[[[{{{", t: '\\"[[["', u: "\\" }), 1)).toBe(false);
    expect(jsonNestsDeeperThan(JSON.stringify(["\\", [[]]]), 2)).toBe(true);
  });

  it("finds 10,000 levels without recursing", () => {
    expect(jsonNestsDeeperThan(nested(10_000), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonNestsDeeperThan(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
  });
});

describe("an SDK answer nested too deeply", () => {
  const headers = new Headers({ "x-inngest-sdk": "inngest-js:v4.24.0" });
  for (const status of [200, 206]) {
    it(`HTTP ${status} fails without retry as JsonTooDeep`, () => {
      const body = status === 200 ? nested(1_000) : JSON.stringify([{ id: "s", op: "StepRun", data: JSON.parse(nested(1_000)) }]);
      const res = interpretSdkResponse({ status, headers, body }, 0);
      expect(res).toMatchObject({ kind: "error", retriable: false, error: { name: "JsonTooDeep", code: "json_too_deep" } });
    });
  }

  it("inside a streamed (201) answer too", () => {
    const body = JSON.stringify({ status: 200, headers: {}, body: nested(1_000) });
    expect(interpretSdkResponse({ status: 201, headers, body }, 0)).toMatchObject({ kind: "error", retriable: false, error: { name: "JsonTooDeep" } });
  });
});

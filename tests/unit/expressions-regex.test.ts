import { describe, expect, it } from "vitest";
import { RE2JS } from "re2js";
import { EXPRESSION_MAX_REGEX_PROGRAM } from "../../src/constants";
import { compileRegex, estimatedProgramSize } from "../../src/expressions/regex";

describe("estimatedProgramSize", () => {
  it.each([
    "abc",
    "^[a-z]+@[a-z]+\\.com$",
    "[a-z]{1000}",
    "[a-z]{2,500}",
    "(ab){3,}",
    "(?:foo|bar|baz)+qux",
    "(?i)(?P<user>\\w+)@\\Qexample.com\\E",
    "\\p{Greek}{10,20}|\\x{41}*",
    "[[:alpha:]]{50}(a|b){4}",
    "((a{10}){10}){10}",
  ])("is at least the compiled size of %s, and not far above it", (pattern) => {
    const actual = RE2JS.compile(pattern).programSize();
    const estimate = estimatedProgramSize(pattern);
    expect(estimate).toBeGreaterThanOrEqual(actual);
    expect(estimate).toBeLessThanOrEqual(actual * 3 + 20);
  });
});

describe("compileRegex", () => {
  it("refuses a pattern estimated over the program limit without compiling it", () => {
    const pattern = "[a-z]{1000}".repeat(100);
    const result = compileRegex(pattern);
    expect(result).toMatchObject({ ok: false, reason: "limit" });
    expect(estimatedProgramSize(pattern)).toBeGreaterThan(EXPRESSION_MAX_REGEX_PROGRAM);
  });

  it("compiles a pattern once and remembers it", () => {
    const first = compileRegex("^remember-me$");
    expect(first.ok).toBe(true);
    expect(compileRegex("^remember-me$")).toBe(first);
  });
});

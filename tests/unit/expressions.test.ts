import { describe, it, expect } from "vitest";
import { compileExpression, evaluateExpression, ExpressionError, matchesExpression, validateExpression } from "../../src/expressions";
import { errorOf } from "./helpers/expression-error";

/** Events arrive as JSON, so every number in them is a double, never a CEL int. */
const event = JSON.parse(
  JSON.stringify({
    name: "app/user.signup",
    data: {
      userId: "u-1",
      n: 3,
      price: 2.5,
      plan: "pro",
      tags: ["beta", "vip"],
      scores: [1, 2, 3],
      nested: { region: "eu" },
      openai: { tokens: 10 },
    },
  }),
) as unknown;
const waiting = { data: { userId: "u-1" } };

describe("matching an event against async (waitForEvent / cancelOn)", () => {
  it("compares event and async fields", () => {
    const source = "event.data.userId == async.data.userId && event.data.n > 2";
    expect(matchesExpression(source, { event, async: waiting })).toBe(true);
    expect(matchesExpression(source, { event, async: { data: { userId: "u-2" } } })).toBe(false);
  });

  it("is false for non-boolean results", () => {
    expect(matchesExpression("event.data.userId", { event })).toBe(false);
    expect(matchesExpression("1", { event })).toBe(false);
  });
});

describe("numbers from JSON against int literals", () => {
  it.each([
    ["event.data.n == 3", true],
    ["event.data.n != 3", false],
    ["event.data.n > 2", true],
    ["event.data.n >= 3", true],
    ["event.data.n < 3", false],
    ["event.data.n == 3.0", true],
    ["event.data.price > 2", true],
    ["event.data.n + 1 == 4", true],
    ["event.data.n * 2 == 6", true],
    ["event.data.n % 2 == 1", true],
    ["2 in event.data.scores", true],
    ["event.data.n == '3'", false],
  ])("%s is %s", (source, expected) => {
    expect(matchesExpression(source, { event })).toBe(expected);
  });

  it("returns plain numbers, not bigints", () => {
    expect(evaluateExpression("1 + 2", {})).toBe(3);
    expect(evaluateExpression("event.data.n + 1", { event })).toBe(4);
    expect(evaluateExpression("event.data.n / 2", { event })).toBe(1.5);
    expect(evaluateExpression("size(event.data.tags)", { event })).toBe(2);
  });

  it("returns ints beyond 2^53 as exact decimal strings", () => {
    expect(evaluateExpression("9007199254740993", {})).toBe("9007199254740993");
  });
});

describe("key expressions", () => {
  it("concatenates strings", () => {
    const source = 'event.data.userId + "-" + event.data.plan';
    expect(evaluateExpression(source, { event })).toBe("u-1-pro");
  });

  it("concatenates a string with a number", () => {
    expect(evaluateExpression('"user-" + event.data.n', { event })).toBe("user-3");
    expect(evaluateExpression('event.data.n + "-" + 7', { event })).toBe("3-7");
  });

  it("evaluates a quoted literal key", () => {
    expect(evaluateExpression(`'"openai"'`, { event })).toBe('"openai"');
    expect(evaluateExpression('event.data["openai"].tokens', { event })).toBe(10);
  });

  it("returns maps and lists as plain objects and arrays", () => {
    expect(evaluateExpression('{"a": 1, "b": [event.data.plan, 2.5]}', { event })).toEqual({
      a: 1,
      b: ["pro", 2.5],
    });
    expect(evaluateExpression("event.data.nested", { event })).toEqual({ region: "eu" });
  });
});

describe("standard CEL", () => {
  it.each([
    ['event.data.n > 2 ? "big" : "small"', "big"],
    ['event.data.n > 5 ? "big" : "small"', "small"],
    ['"vip" in event.data.tags', true],
    ['"free" in event.data.tags', false],
    ["has(event.data.plan)", true],
    ["has(event.data.missing)", false],
    ['event.name.startsWith("app/")', true],
    ['event.data.plan.contains("r")', true],
    ["event.data.scores.exists(s, s > 2)", true],
    ['event.data.plan in ["pro", "team"]', true],
  ])("%s evaluates to %s", (source, expected) => {
    expect(evaluateExpression(source, { event })).toBe(expected);
  });

  it("binds an absent variable to an empty map", () => {
    expect(evaluateExpression("has(async.data)", { event })).toBe(false);
  });
});

describe("missing fields", () => {
  it("make matchesExpression false instead of throwing", () => {
    expect(matchesExpression('event.data.missing == "x"', { event })).toBe(false);
    expect(matchesExpression("event.data.missing.deeper > 1", { event })).toBe(false);
    expect(matchesExpression("async.data.userId == event.data.userId", { event })).toBe(false);
  });

  it("make evaluateExpression throw an evaluation error", () => {
    const error = errorOf(() => evaluateExpression('event.data.missing == "x"', { event }));
    expect(error.reason).toBe("evaluation");
    expect(error.expression).toBe('event.data.missing == "x"');
    expect(error.message).toContain("missing");
  });

  it("do not poison an || whose other side is true", () => {
    expect(matchesExpression("event.data.missing == 1 || event.data.n == 3", { event })).toBe(true);
  });
});

describe("compileExpression", () => {
  it("returns the same compiled object for the same source", () => {
    const first = compileExpression("event.data.n > 1");
    expect(compileExpression("event.data.n > 1")).toBe(first);
    expect(compileExpression("event.data.n > 2")).not.toBe(first);
  });

  it("reports the static result type", () => {
    expect(compileExpression("event.data.n > 1").resultType).toBe("bool");
    expect(compileExpression('"a" + "b"').resultType).toBe("string");
  });

  it("evaluates a compiled expression many times", () => {
    const compiled = compileExpression("event.data.n * 2");
    expect(compiled.evaluate({ event: { data: { n: 2 } } })).toBe(4);
    expect(compiled.evaluate({ event: { data: { n: 5 } } })).toBe(10);
  });

  it("throws a syntax ExpressionError with the position", () => {
    const error = errorOf(() => compileExpression("event.data.a +"));
    expect(error).toBeInstanceOf(ExpressionError);
    expect(error.reason).toBe("syntax");
    expect(error.expression).toBe("event.data.a +");
    expect(error.position).toBe(14);
  });

  it("throws a type ExpressionError for unknown functions and bad literal operands", () => {
    expect(errorOf(() => compileExpression("nope(event.data.n)")).reason).toBe("type");
    expect(errorOf(() => compileExpression('lowercase(1) == "a"')).reason).toBe("type");
    expect(errorOf(() => compileExpression("true + 1")).reason).toBe("type");
  });
});

describe("validateExpression", () => {
  it("returns null for a valid expression", () => {
    expect(validateExpression("event.data.userId == async.data.userId")).toBeNull();
  });

  it("describes a syntax error and where it is", () => {
    expect(validateExpression('event.data.plan == "pro')).toBe("Unterminated string at column 20");
    expect(validateExpression("event.data.a == 1 &&& 2")).toBe("Unexpected character: & at column 21");
  });

  it("names an unknown function", () => {
    expect(validateExpression("nope(1)")).toContain("nope");
  });

  it("rejects an empty expression", () => {
    expect(validateExpression("")).not.toBeNull();
  });
});

import { describe, it, expect, vi } from "vitest";
import { compileExpression, evaluateExpression, matchesExpression, validateExpression } from "../../src/expressions";
import { LruCache } from "../../src/expressions/cache";
import {
  EXPRESSION_MAX_COST,
  EXPRESSION_MAX_DEPTH,
  EXPRESSION_MAX_LIST_LENGTH,
  EXPRESSION_MAX_REGEX_LENGTH,
  EXPRESSION_MAX_REGEX_PROGRAM,
  EXPRESSION_MAX_STRING_LENGTH,
  MAX_EXPRESSION_LENGTH,
} from "../../src/constants";
import { errorOf } from "./helpers/expression-error";

const digits = "[0,1,2,3,4,5,6,7,8,9]";

/** `[0..9].all(a, [0..9].all(b, ...))` nested `depth` deep: 10^depth iterations. */
function nestedAll(depth: number): string {
  let body = "true";
  for (let i = depth; i > 0; i--) body = `${digits}.all(v${i}, ${body})`;
  return body;
}

/** `cel.bind(s0, "xxxx", cel.bind(s1, s0 + s0, ...))`: a string doubled `times` times. */
function doublingBind(times: number): string {
  let body = `size(s${times}) > 0`;
  for (let i = times; i > 0; i--) body = `cel.bind(s${i}, s${i - 1} + s${i - 1}, ${body})`;
  return `cel.bind(s0, "xxxxxxxxxxxxxxxx", ${body})`;
}

describe("expression limits at compile time", () => {
  it("refuses the nested comprehension that iterates 10^8 times, before running it", () => {
    const source = nestedAll(8);
    expect(source.length).toBeLessThan(MAX_EXPRESSION_LENGTH);
    const error = errorOf(() => compileExpression(source));
    expect(error.reason).toBe("limit");
    expect(error.message).toMatch(/estimated cost .* exceeds the limit/);
    expect(validateExpression(source)).toMatch(/too costly/);
    expect(matchesExpression(source, { event: {} })).toBe(false);
  });

  it("refuses comprehensions nested three deep over event data, allows two", () => {
    expect(validateExpression("event.data.a.all(x, event.data.b.all(y, event.data.c.all(z, x == y && y == z)))")).toMatch(/too costly/);
    expect(validateExpression('event.data.items.exists(i, i.tags.exists(t, t == "vip"))')).toBeNull();
    expect(
      validateExpression("event.data.orders.exists(o, event.data.refunds.exists(r, o.id == r.order_id && o.total == r.amount && r.status != 'void'))"),
    ).toBeNull();
  });

  it("refuses a 5 MB expression without parsing it", () => {
    const source = `event.data.x == "${"a".repeat(5 * 1024 * 1024)}"`;
    const error = errorOf(() => compileExpression(source));
    expect(error.reason).toBe("limit");
    expect(error.message).toBe(`expression is ${source.length} characters long; the most allowed is ${MAX_EXPRESSION_LENGTH}`);
  });

  it("accepts an expression of exactly the maximum length", () => {
    const prefix = 'event.data.x == "';
    const source = `${prefix}${"a".repeat(MAX_EXPRESSION_LENGTH - prefix.length - 1)}"`;
    expect(source.length).toBe(MAX_EXPRESSION_LENGTH);
    expect(validateExpression(source)).toBeNull();
  });

  it("refuses nesting deeper than the parser limit with reason limit", () => {
    const deep = `${"(".repeat(EXPRESSION_MAX_DEPTH + 1)}1${")".repeat(EXPRESSION_MAX_DEPTH + 1)} == 1`;
    expect(errorOf(() => compileExpression(deep)).reason).toBe("limit");
    const veryDeep = `${"(".repeat(2_000)}1${")".repeat(2_000)}`;
    expect(errorOf(() => compileExpression(veryDeep)).reason).toBe("limit");
    const ok = `${"(".repeat(10)}event.data.n${")".repeat(10)} == 1`;
    expect(validateExpression(ok)).toBeNull();
  });
});

describe("expression limits during evaluation", () => {
  it("stops the 664-character cel.bind string doubling with reason limit", () => {
    const source = doublingBind(24);
    expect(source.length).toBeLessThan(MAX_EXPRESSION_LENGTH);
    const compiled = compileExpression(source);
    const error = errorOf(() => compiled.evaluate({}));
    expect(error.reason).toBe("limit");
    expect(error.message).toMatch(/built a value of \d+ characters or bytes/);
    // The doubling stopped within one step of the cap, not at 268 million characters.
    const built = Number(/of (\d+) characters/.exec(error.message)?.[1]);
    expect(built).toBeLessThanOrEqual(2 * EXPRESSION_MAX_STRING_LENGTH);
    expect(matchesExpression(source, {})).toBe(false);
  });

  it("stops list doubling at the list cap", () => {
    let body = "size(l17) > 0";
    for (let i = 17; i > 0; i--) body = `cel.bind(l${i}, l${i - 1} + l${i - 1}, ${body})`;
    const source = `cel.bind(l0, ${digits}, ${body})`;
    const error = errorOf(() => evaluateExpression(source, {}));
    expect(error.reason).toBe("limit");
    expect(error.message).toContain(`the most allowed is ${EXPRESSION_MAX_LIST_LENGTH}`);
  });

  it("stops a comprehension over a large event list once the budget is spent", () => {
    const event = { data: { items: Array.from({ length: EXPRESSION_MAX_COST }, (_, i) => i) } };
    const source = "event.data.items.all(i, i >= 0)";
    const error = errorOf(() => evaluateExpression(source, { event }));
    expect(error.reason).toBe("limit");
    expect(error.message).toContain(`evaluation budget of ${EXPRESSION_MAX_COST}`);
    // exists() skips failing elements, and `||` forgives an error: neither may hide the stop.
    expect(errorOf(() => evaluateExpression("event.data.items.exists(i, i < 0) || true", { event })).reason).toBe("limit");
    expect(matchesExpression("event.data.items.exists(i, i < 0) || true", { event })).toBe(false);
  });

  it("charges the size of strings scanned in a loop", () => {
    // 1,000 iterations, each scanning a 200,000-character string: cheap in nodes, costly in data.
    const event = { data: { body: "a".repeat(200_000), ids: Array.from({ length: 1_000 }, (_, i) => `${i}`) } };
    const error = errorOf(() => evaluateExpression("event.data.ids.exists(id, event.data.body.contains(id))", { event }));
    expect(error.reason).toBe("limit");
  });

  it("gives each evaluation a fresh budget", () => {
    const event = { data: { items: Array.from({ length: 1_000 }, (_, i) => i) } };
    const compiled = compileExpression("event.data.items.all(i, i >= 0)");
    for (let i = 0; i < 200; i++) expect(compiled.evaluate({ event })).toBe(true);
  });

  it("still reports ordinary evaluation errors as evaluation errors", () => {
    expect(errorOf(() => evaluateExpression("event.data.missing == 1", { event: { data: {} } })).reason).toBe("evaluation");
  });
});

describe("ordinary Inngest expressions within the limits", () => {
  const event = JSON.parse(
    JSON.stringify({
      name: "app/user.signup",
      data: {
        plan: "pro",
        email: "Ada@Example.com",
        n: 3,
        tags: ["beta", "vip"],
        items: [
          { sku: "a", qty: 1 },
          { sku: "b", qty: 2 },
        ],
        body: "x".repeat(300_000),
      },
    }),
  ) as unknown;

  it.each([
    ['event.data.plan == "pro"', true],
    ['event.name == "app/user.signup" && event.data.n > 2', true],
    ["async.data.plan == event.data.plan", true],
    ['lowercase(event.data.email) == "ada@example.com"', true],
    ['event.data.tags.exists(t, t == "vip")', true],
    ["event.data.items.all(i, i.qty > 0)", true],
    ['event.data.items.map(i, i.sku).join(",") == "a,b"', true],
    ["event.data.items.filter(i, i.qty > 1).size() == 1", true],
    ['has(event.data.plan) && event.data.email.matches("^[A-Za-z]+@")', true],
    ['event.data.body.startsWith("xxx") && size(event.data.body) == 300000', true],
    ['"user-" + event.data.plan == "user-pro"', true],
    [`cel.bind(xs, ${digits}, xs.exists(x, x == 9))`, true],
  ])("%s", (source, expected) => {
    expect(evaluateExpression(source, { event, async: event })).toBe(expected);
  });
});

describe("LruCache bounded by weight", () => {
  it("evicts the oldest entries once their weights exceed the maximum", () => {
    const cache = new LruCache<string, number>(10, 10, (key) => key.length);
    cache.set("aaaa", 1);
    cache.set("bbbb", 2);
    cache.get("aaaa");
    cache.set("cccc", 3);
    expect(cache.get("bbbb")).toBeUndefined();
    expect(cache.get("aaaa")).toBe(1);
    expect(cache.get("cccc")).toBe(3);
    expect(cache.weight).toBe(8);
  });

  it("never stores an entry heavier than the maximum", () => {
    const cache = new LruCache<string, number>(10, 10, (key) => key.length);
    cache.set("aa", 1);
    cache.set("x".repeat(11), 2);
    expect(cache.get("x".repeat(11))).toBeUndefined();
    expect(cache.get("aa")).toBe(1);
    expect(cache.size).toBe(1);
  });
});

describe("matching with an expression that hits a limit", () => {
  it("counts as not matching and is logged once, not once per event", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      const event = { data: { items: Array.from({ length: EXPRESSION_MAX_COST }, (_, i) => i) } };
      const source = "event.data.items.all(i, i >= -1)";
      for (let i = 0; i < 3; i++) expect(matchesExpression(source, { event })).toBe(false);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain("evaluation budget");
    } finally {
      warn.mockRestore();
    }
  });
});

describe("regular expressions in matches()", () => {
  /** Patterns a backtracking engine takes exponential or polynomial time on, with a text that does not match. */
  const pathological: Array<[string, string]> = [
    ["(a|a)*$b", "a".repeat(5_000)],
    ["^(a|ab)*c$", "ab".repeat(2_500)],
    ["^(\\\\w+\\\\s?)*$", `${"word ".repeat(1_000)}!`],
    ["^(a+)+$", `${"a".repeat(5_000)}!`],
    ["(x*){2,}y", "x".repeat(5_000)],
    ["^(a|(b+))*c", "ab".repeat(2_500)],
    ["(.*a){20}", "a".repeat(19)],
  ];

  it.each(pathological)("runs %s in linear time, literal or from event data", (pattern, text) => {
    expect(evaluateExpression(`event.data.s.matches("${pattern}")`, { event: { data: { s: text } } })).toBe(false);
    const fromData = { event: { data: { s: text, p: pattern.replaceAll("\\\\", "\\") } } };
    expect(evaluateExpression("event.data.s.matches(event.data.p)", fromData)).toBe(false);
  });

  it("refuses backreferences and lookaround, which RE2 (and so CEL and Inngest) does not have", () => {
    for (const pattern of ["(a)\\\\1", "a(?=b)", "(?<!a)b"]) {
      const error = errorOf(() => compileExpression(`event.data.s.matches("${pattern}")`));
      expect(error.reason, pattern).toBe("syntax");
      expect(error.message).toContain("RE2 syntax");
    }
  });

  it("fails the evaluation, not the server, on an invalid pattern taken from event data", () => {
    const event = { data: { s: "aa", p: "(a)\\1" } };
    expect(errorOf(() => evaluateExpression("event.data.s.matches(event.data.p)", { event })).reason).toBe("evaluation");
  });

  it("refuses a pattern that compiles to too large a program, before compiling it", () => {
    const pattern = "[a-z]{1000}".repeat(6);
    const error = errorOf(() => compileExpression(`event.data.s.matches("${pattern}")`));
    expect(error.reason).toBe("limit");
    expect(error.message).toContain(`the most allowed is ${EXPRESSION_MAX_REGEX_PROGRAM}`);
    const event = { data: { s: "abc", p: pattern } };
    expect(errorOf(() => evaluateExpression("event.data.s.matches(event.data.p)", { event })).reason).toBe("limit");
    expect(matchesExpression("event.data.s.matches(event.data.p)", { event })).toBe(false);
  });

  it("refuses a pattern longer than EXPRESSION_MAX_REGEX_LENGTH taken from event data", () => {
    const event = { data: { s: "abc", p: "a".repeat(EXPRESSION_MAX_REGEX_LENGTH + 1) } };
    const error = errorOf(() => evaluateExpression("event.data.s.matches(event.data.p)", { event }));
    expect(error.reason).toBe("limit");
    expect(error.message).toContain(`the most allowed is ${EXPRESSION_MAX_REGEX_LENGTH}`);
  });

  it("charges matching to the evaluation budget: a large program over a long text is stopped", () => {
    const event = { data: { s: "a".repeat(200_000) } };
    const error = errorOf(() => evaluateExpression('event.data.s.matches("[ab]{1000}c")', { event }));
    expect(error.reason).toBe("limit");
    expect(error.message).toContain("evaluation budget");
    expect(evaluateExpression('event.data.s.matches("[ab]{1000}c")', { event: { data: { s: `${"a".repeat(1000)}c` } } })).toBe(true);
  });

  it("answers no such overload for a receiver that is not a string", () => {
    expect(errorOf(() => evaluateExpression('event.data.n.matches("1")', { event: { data: { n: 1 } } })).reason).toBe("evaluation");
  });

  it.each([
    ["^[A-Za-z]+@", "Ada@x", true],
    ["^(foo|bar)+$", "foobarfoo", true],
    ["^\\\\d{3}-\\\\d{4}$", "555-1234", true],
    ["^(ab)+c$", "ababc", true],
    ["^[(a+)+]$", "+", true],
    ["^(a+)?b$", "aab", true],
    ["^(\\\\w{2})*$", "abcd", true],
    ["b", "abc", true],
    ["^b", "abc", false],
    ["(?i)^ADA$", "ada", true],
    ["^(?P<user>[a-z]+)@x\\\\z", "ada@x", true],
    ["^\\\\pL+$", "\u00e9t\u00e9", true],
  ])("allows %s (RE2 syntax, matching anywhere unless anchored)", (pattern, text, expected) => {
    expect(evaluateExpression(`event.data.s.matches("${pattern}")`, { event: { data: { s: text } } })).toBe(expected);
  });
});

describe("the compile cache", () => {
  it("remembers a compile failure and throws the same error again", () => {
    const source = "event.data.x == == 1";
    const first = errorOf(() => compileExpression(source));
    expect(first.reason).toBe("syntax");
    expect(errorOf(() => compileExpression(source))).toBe(first);
  });

  it("returns the same compilation for the same source", () => {
    expect(compileExpression('event.data.plan == "cache"')).toBe(compileExpression('event.data.plan == "cache"'));
  });
});

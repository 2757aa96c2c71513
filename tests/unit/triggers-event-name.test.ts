import { describe, expect, it } from "vitest";
import { eventNameMatches, matchingPatterns, wildcardPrefix } from "../../src/routing/event-name";

describe("eventNameMatches", () => {
  it.each([
    ["app/user.created", "app/user.created"],
    ["app/*", "app/user.created"],
    ["app/*", "app/blog.post.published"],
    ["app/*", "app/a/b"],
    ["app/*", "app/"],
    ["app/user.*", "app/user.created"],
    ["app/user.*", "app/user.created.v2"],
    ["app/blog.post.*", "app/blog.post.published"],
    ["api/v1/*", "api/v1/users"],
    ["user.*", "user.updated"],
    ["inngest/*", "inngest/function.failed"],
    ["a+b(c)/*", "a+b(c)/x"],
    ["*", "*"],
  ])("%s matches %s", (pattern, name) => {
    expect(eventNameMatches(pattern, name)).toBe(true);
  });

  it.each([
    ["app/user.created", "app/user.updated"],
    ["app/user.created", "app/user.created.v2"],
    ["app/*", "app"],
    ["app/*", "application/x"],
    ["app/*", "other/app/x"],
    ["app/user.*", "app/user"],
    ["app/user.*", "app/users.created"],
    ["app/user.*", "app/user/created"],
    ["api/v1/*", "api/v2/users"],
    // A wildcard counts only as the last segment after "/" or ".", as Inngest defines it.
    ["*", "app/user.created"],
    ["app/user*", "app/user.created"],
    ["app/*/created", "app/user/created"],
    ["*/created", "app/created"],
    // Regex metacharacters are literal.
    ["a.b/*", "aXb/c"],
    ["a+b/*", "aab/c"],
  ])("%s does not match %s", (pattern, name) => {
    expect(eventNameMatches(pattern, name)).toBe(false);
  });

  it("is case-sensitive", () => {
    expect(eventNameMatches("App/*", "app/x")).toBe(false);
    expect(eventNameMatches("app/x", "app/X")).toBe(false);
  });
});

describe("wildcardPrefix", () => {
  it("returns the literal prefix of a trailing wildcard", () => {
    expect(wildcardPrefix("app/*")).toBe("app/");
    expect(wildcardPrefix("app/user.*")).toBe("app/user.");
  });

  it("returns null for names that only match themselves", () => {
    expect(wildcardPrefix("app/user.created")).toBeNull();
    expect(wildcardPrefix("*")).toBeNull();
    expect(wildcardPrefix("app/user*")).toBeNull();
  });
});

describe("matchingPatterns", () => {
  it("lists the name and every wildcard that matches it", () => {
    expect(new Set(matchingPatterns("app/user.created"))).toEqual(new Set(["app/user.created", "app/*", "app/user.*"]));
    expect(new Set(matchingPatterns("api/v1/users"))).toEqual(new Set(["api/v1/users", "api/*", "api/v1/*"]));
    expect(matchingPatterns("simple")).toEqual(["simple"]);
  });

  it("agrees with eventNameMatches", () => {
    const names = ["app/user.created", "a.b/c.d/e", "x/", "inngest/function.failed", "plain"];
    const patterns = ["app/*", "app/user.*", "a.*", "a.b/*", "a.b/c.*", "a.b/c.d/*", "x/*", "inngest/*", "*", "plain"];
    for (const name of names) {
      const listed = new Set(matchingPatterns(name));
      for (const pattern of patterns) {
        expect(listed.has(pattern), `${pattern} vs ${name}`).toBe(eventNameMatches(pattern, name));
      }
    }
  });

  it("lists each pattern once", () => {
    const patterns = matchingPatterns("a.*");
    expect(patterns).toHaveLength(new Set(patterns).size);
  });
});

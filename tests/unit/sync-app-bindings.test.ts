import { describe, expect, it } from "vitest";
import { bindingFor, parseAppBindings, type AppBinding } from "../../src/sync/app-bindings";

function bindings(value: string): AppBinding[] {
  const setting = parseAppBindings(value);
  if (!setting.ok) throw new Error(setting.error);
  return setting.bindings;
}

describe("STEPFLARE_APP_BINDINGS", () => {
  it("maps every URL of an origin to its binding", () => {
    const b = bindings("https://shop.example.com=SHOP");
    expect(bindingFor(b, "https://shop.example.com/api/inngest")).toBe("SHOP");
    expect(bindingFor(b, "https://shop.example.com/api/inngest?fnId=a&stepId=step")).toBe("SHOP");
    expect(bindingFor(b, "https://shop.example.com:443/")).toBe("SHOP");
  });

  it("matches the whole origin: scheme, host and port", () => {
    const b = bindings("https://shop.example.com=SHOP");
    expect(bindingFor(b, "http://shop.example.com/api/inngest")).toBeUndefined();
    expect(bindingFor(b, "https://shop.example.com:8443/api/inngest")).toBeUndefined();
    expect(bindingFor(b, "https://shop.example.com.evil.test/api/inngest")).toBeUndefined();
    expect(bindingFor(b, "https://other.example.com/api/inngest")).toBeUndefined();
  });

  it("matches a path prefix on segment boundaries only", () => {
    const b = bindings("https://example.com/billing/=BILLING");
    expect(bindingFor(b, "https://example.com/billing")).toBe("BILLING");
    expect(bindingFor(b, "https://example.com/billing/api/inngest")).toBe("BILLING");
    expect(bindingFor(b, "https://example.com/billingx/api/inngest")).toBeUndefined();
    expect(bindingFor(b, "https://example.com/api/inngest")).toBeUndefined();
  });

  it("prefers the longest matching prefix, whatever the order given", () => {
    const b = bindings(" https://example.com=SITE ,https://example.com/billing=BILLING,, ");
    expect(bindingFor(b, "https://example.com/billing/api/inngest")).toBe("BILLING");
    expect(bindingFor(b, "https://example.com/api/inngest")).toBe("SITE");
  });

  it("treats an unset or empty value as no bindings", () => {
    expect(parseAppBindings(undefined)).toEqual({ ok: true, bindings: [] });
    expect(parseAppBindings("")).toEqual({ ok: true, bindings: [] });
  });

  it.each([
    ["https://shop.example.com", "not <URL prefix>=<BINDING>"],
    ["https://shop.example.com=", "not <URL prefix>=<BINDING>"],
    ["shop.example.com=SHOP", "not an absolute URL"],
    ["ftp://shop.example.com=SHOP", "not an http(s) URL"],
    ["https://shop.example.com/?a=b=SHOP", "without query"],
    ["https://shop.example.com=my-app", "not a binding name"],
    ["https://a.example.com=A,https://a.example.com/=B", "listed twice"],
  ])("rejects %s, saying what is wrong and naming the variable", (value, reason) => {
    const setting = parseAppBindings(value);
    expect(setting.ok).toBe(false);
    if (setting.ok) return;
    expect(setting.error).toContain("STEPFLARE_APP_BINDINGS");
    expect(setting.error).toContain(reason);
  });

  it("rejects a value that is not a string (a TOML table instead of a string)", () => {
    const setting = parseAppBindings({ "https://shop.example.com": "SHOP" });
    expect(setting).toMatchObject({ ok: false });
  });
});

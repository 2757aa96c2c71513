import { describe, expect, it } from "vitest";
import { FLOW_KEY_MAX_LENGTH } from "../../src/constants";
import { flowKey, fnv1a64Hex, type FlowKeyParts } from "../../src/flow/keys";

const name = (scope: string, key: string | null, kind: FlowKeyParts["kind"] = "concurrency") => flowKey({ kind, scope, key });

describe("fnv1a64Hex", () => {
  it("matches the reference FNV-1a 64 vectors", () => {
    expect(fnv1a64Hex("")).toBe("cbf29ce484222325");
    expect(fnv1a64Hex("a")).toBe("af63dc4c8601ec8c");
    expect(fnv1a64Hex("foobar")).toBe("85944171f73967e8");
  });

  it("hashes the UTF-8 bytes", () => {
    // Reference FNV-1a 64 over explicit bytes: "é" is C3 A9 and "😀" is F0 9F 98 80 in UTF-8.
    const overBytes = (bytes: number[]) =>
      bytes
        .reduce((h, b) => BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n), 0xcbf29ce484222325n)
        .toString(16)
        .padStart(16, "0");
    expect(fnv1a64Hex("é")).toBe(overBytes([0xc3, 0xa9]));
    expect(fnv1a64Hex("😀")).toBe(overBytes([0xf0, 0x9f, 0x98, 0x80]));
  });
});

describe("flowKey", () => {
  it("is readable for ordinary keys", () => {
    expect(name("app-fn", "user-42")).toBe("concurrency:app-fn:=user-42");
    expect(name("app-fn", null, "throttle")).toBe("throttle:app-fn:~");
  });

  it("is stable", () => {
    expect(name("app-fn", "k")).toBe(name("app-fn", "k"));
  });

  it("separates kinds, a null key from an empty key, and keys from scopes", () => {
    const names = [
      name("s", null),
      name("s", ""),
      name("s", "~"),
      name("s", "=x"),
      name("s", "x"),
      name("s", null, "batch"),
      name("a:b", "c"),
      name("a", "b:c"),
      name("a", ":=b:c"),
      name("a%3Ab", "c"),
      name("s", "%"),
      name("s", "%25"),
      name("s", "#"),
      name("s", "%23"),
    ];
    expect(new Set(names).size).toBe(names.length);
  });

  it("escapes separators", () => {
    expect(name("a:b", "c#d%e")).toBe("concurrency:a%3Ab:=c%23d%25e");
  });

  it("keeps distinct lone surrogates distinct, and pairs as they are", () => {
    expect(name("s", "\ud800")).not.toBe(name("s", "\ud801"));
    expect(name("s", "\ud800")).toBe("concurrency:s:=%ud800");
    expect(name("s", "\udc00x")).toBe("concurrency:s:=%udc00x");
    expect(name("s", "😀")).toBe("concurrency:s:=😀");
  });

  it("hashes long names into at most FLOW_KEY_MAX_LENGTH characters", () => {
    const long = "k".repeat(5000);
    const hashed = name("app-fn", long);
    expect(hashed.length).toBeLessThanOrEqual(FLOW_KEY_MAX_LENGTH);
    expect(hashed).toMatch(/^concurrency:app-fn:=k+#[0-9a-f]{16}$/);
    expect(name("app-fn", long)).toBe(hashed);
    expect(name("app-fn", `${long}x`)).not.toBe(hashed);
    expect(name("app-fn", `${long.slice(1)}x`)).not.toBe(hashed);
  });

  it("keeps a name of exactly the maximum length verbatim", () => {
    const prefix = "concurrency:s:=";
    const key = "k".repeat(FLOW_KEY_MAX_LENGTH - prefix.length);
    expect(name("s", key)).toBe(prefix + key);
    expect(name("s", `${key}k`)).toContain("#");
  });

  it("never splits a surrogate pair when shortening", () => {
    for (let pad = 0; pad < 4; pad++) {
      const hashed = name("s", `${"k".repeat(pad)}${"😀".repeat(300)}`);
      expect(hashed.length).toBeLessThanOrEqual(FLOW_KEY_MAX_LENGTH);
      expect(hashed.isWellFormed()).toBe(true);
    }
  });
});

import { describe, expect, it } from "vitest";
import { newEventIds, ulidFromParts, ulidTime } from "../../src/ingest/event-ids";

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);

/** Independent ULID encoder (128-bit BigInt, 5 bits at a time) to check the real one against. */
function referenceUlid(ms: number, entropy: Uint8Array): string {
  let n = BigInt(ms);
  for (const byte of entropy) n = (n << 8n) | BigInt(byte);
  let out = "";
  for (let i = 0; i < 26; i++) {
    out = ALPHABET[Number(n & 31n)] + out;
    n >>= 5n;
  }
  return out;
}

function seedHeader(millis: number, entropy: Uint8Array): string {
  return `${millis},${btoa(String.fromCharCode(...entropy))}`;
}

/** The Go server's `SeededIDFromString`: add the 1-based index to the last 4 bytes as a uint32. */
function goSeededEntropy(seed: Uint8Array, index: number): Uint8Array {
  const out = seed.slice();
  const view = new DataView(out.buffer);
  view.setUint32(6, (view.getUint32(6) + index + 1) % 2 ** 32);
  return out;
}

describe("ulidFromParts", () => {
  it("encodes like a 128-bit big-endian ULID", () => {
    for (let i = 0; i < 50; i++) {
      const entropy = crypto.getRandomValues(new Uint8Array(10));
      const ms = Math.floor(Math.random() * 2 ** 48);
      expect(ulidFromParts(ms, entropy)).toBe(referenceUlid(ms, entropy));
    }
  });

  it("encodes the extremes", () => {
    expect(ulidFromParts(0, new Uint8Array(10))).toBe("0".repeat(26));
    expect(ulidFromParts(2 ** 48 - 1, new Uint8Array(10).fill(255))).toBe(`7${"Z".repeat(25)}`);
  });

  it("rejects entropy shorter than 10 bytes", () => {
    expect(() => ulidFromParts(NOW, new Uint8Array(9))).toThrow(RangeError);
  });
});

describe("ulidTime", () => {
  it("decodes the time part", () => {
    expect(ulidTime(ulidFromParts(NOW, new Uint8Array(10)))).toBe(NOW);
    expect(ulidTime(`0000000020${"Z".repeat(16)}`)).toBe(64);
    expect(ulidTime(`7ZZZZZZZZZ${"0".repeat(16)}`)).toBe(2 ** 48 - 1);
  });

  it("throws on something that is not a ULID", () => {
    expect(() => ulidTime("not-a-ulid")).toThrow();
  });
});

describe("newEventIds with the SDK seed header", () => {
  const millis = 1743130137367;
  const header = `${millis},eii2YKXRVTJPuA==`;

  it("is deterministic: a retried send gets the same ids, whatever the server clock says", () => {
    const first = newEventIds(5, header, NOW);
    expect(newEventIds(5, header, NOW + 60_000)).toEqual(first);
  });

  it("gives each index its own id, and a longer request extends a shorter one", () => {
    const ids = newEventIds(1000, header, NOW);
    expect(new Set(ids).size).toBe(1000);
    expect(newEventIds(3, header, NOW)).toEqual(ids.slice(0, 3));
  });

  it("uses the seed millis as the time part", () => {
    for (const id of newEventIds(3, header, NOW)) {
      expect(id).toMatch(ULID);
      expect(ulidTime(id)).toBe(millis);
    }
  });

  it("derives entropy as the Go server does: seed + (index + 1) on the last 4 bytes", () => {
    const seed = Uint8Array.from(atob("eii2YKXRVTJPuA=="), (c) => c.charCodeAt(0));
    const ids = newEventIds(3, header, NOW);
    ids.forEach((id, i) => expect(id).toBe(referenceUlid(millis, goSeededEntropy(seed, i))));
  });

  it("wraps within the last 4 bytes without carrying into the rest", () => {
    const seed = Uint8Array.from([1, 2, 3, 4, 5, 6, 0xff, 0xff, 0xff, 0xff]);
    const [id0, id1] = newEventIds(2, seedHeader(millis, seed), NOW);
    expect(id0).toBe(referenceUlid(millis, Uint8Array.from([1, 2, 3, 4, 5, 6, 0, 0, 0, 0])));
    expect(id1).toBe(referenceUlid(millis, Uint8Array.from([1, 2, 3, 4, 5, 6, 0, 0, 0, 1])));
  });

  it("differs for a different seed", () => {
    const other = seedHeader(millis, new Uint8Array(10).fill(7));
    expect(newEventIds(1, other, NOW)).not.toEqual(newEventIds(1, header, NOW));
  });
});

describe("newEventIds without a usable seed", () => {
  it("returns distinct, strictly increasing ULIDs at now", () => {
    const ids = newEventIds(500, null, NOW);
    expect(new Set(ids).size).toBe(500);
    for (const id of ids) {
      expect(id).toMatch(ULID);
      expect(ulidTime(id)).toBe(NOW);
    }
    expect([...ids].sort()).toEqual(ids);
  });

  it("returns different ids on each call", () => {
    const later = NOW + 1000;
    expect(newEventIds(1, null, later)).not.toEqual(newEventIds(1, null, later));
  });

  it("returns no ids for a count of 0", () => {
    expect(newEventIds(0, null, NOW)).toEqual([]);
  });

  it.each([
    ["empty", ""],
    ["no comma", "1743130137367"],
    ["zero millis", "0,eii2YKXRVTJPuA=="],
    ["negative millis", "-5,eii2YKXRVTJPuA=="],
    ["millis past the ULID range", `${2 ** 48},eii2YKXRVTJPuA==`],
    ["non-numeric millis", "abc,eii2YKXRVTJPuA=="],
    ["9 bytes of entropy", `1743130137367,${btoa("123456789")}`],
    ["11 bytes of entropy", `1743130137367,${btoa("12345678901")}`],
    ["not base64", "1743130137367,eii2YKXRVTJP!A=="],
    ["three parts", "1743130137367,eii2YKXRVTJPuA==,x"],
  ])("ignores a malformed seed (%s) and falls back to random ids", (_label, header) => {
    const later = NOW + 2000;
    const [a] = newEventIds(1, header, later);
    const [b] = newEventIds(1, header, later);
    expect(a).toMatch(ULID);
    expect(ulidTime(a!)).toBe(later);
    expect(a).not.toBe(b);
  });
});

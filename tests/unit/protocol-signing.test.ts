import { createHash, createHmac } from "node:crypto";
import { Inngest } from "inngest";
import { serve } from "inngest/edge";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/protocol/jcs";
import { hashSigningKey, isAuthorizedSdkBearer, signRequestBody, verifySignature } from "../../src/protocol/signing";

const KEY = `signkey-test-${"ab12".repeat(16)}`;
const FALLBACK = `signkey-test-${"cd34".repeat(16)}`;
const NOW = Date.UTC(2026, 7, 22, 10, 0, 0);
/** The SDK logs every rejected signature; these tests reject on purpose. */
const silent = { info() {}, warn() {}, error() {}, debug() {} };

/** A serve handler of the official SDK in cloud mode, which verifies request signatures. */
function cloudHandler(signingKey: string, fetchImpl?: typeof fetch) {
  const client = new Inngest({
    id: "signing-test",
    signingKey,
    isDev: false,
    logger: silent,
    baseUrl: "http://server.test",
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
  return serve({ client, functions: [] });
}

/** The `Authorization` header the SDK sends when it syncs itself to the server. */
async function sdkBearerFor(signingKey: string): Promise<string> {
  let authorization = "";
  const captureFetch = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    authorization = new Headers(init?.headers).get("authorization") ?? "";
    return new Response(JSON.stringify({ ok: true }), { status: 200 });
  }) as typeof fetch;
  const handler = cloudHandler(signingKey, captureFetch);
  const res = await handler(new Request("http://app.test/api/inngest", { method: "PUT", headers: { host: "app.test" } }));
  expect(res.status).toBe(200);
  return authorization;
}

describe("hashSigningKey", () => {
  it("keeps the prefix and hashes the hex-decoded rest (known value)", async () => {
    const expected = createHash("sha256").update(Buffer.from("12345678", "hex")).digest("hex");
    expect(expected.startsWith("b2ed99")).toBe(true);
    expect(await hashSigningKey("signkey-prod-12345678")).toBe(`signkey-prod-${expected}`);
  });

  it("hashes a key without a prefix and an empty key like the SDK", async () => {
    const expected = createHash("sha256").update(Buffer.from("abcd", "hex")).digest("hex");
    expect(await hashSigningKey("abcd")).toBe(expected);
    expect(await hashSigningKey("")).toBe("");
  });

  it("matches the bearer token the SDK sends, for a hex key and a hand-made non-hex key", async () => {
    for (const key of [KEY, "signkey-dev-not-hex-secret!"]) {
      expect(await sdkBearerFor(key)).toBe(`Bearer ${await hashSigningKey(key)}`);
    }
  });
});

describe("signRequestBody", () => {
  it("produces t=<unix seconds>&s=<HMAC(prefix-less key as text, body + t)>", async () => {
    const body = '{"a":1}';
    const header = await signRequestBody(body, KEY, NOW + 999);
    const t = String(NOW / 1000);
    const s = createHmac("sha256", KEY.replace("signkey-test-", ""))
      .update(body + t)
      .digest("hex");
    expect(header).toBe(`t=${t}&s=${s}`);
  });

  it("is accepted by the SDK's own verification when the body is JCS-canonical", async () => {
    const body = canonicalJson({ z: 1, a: { y: [1, 2], b: "é" } });
    const handler = cloudHandler(KEY);
    const call = async (signature: string, payload: string) =>
      handler(
        new Request("http://app.test/api/inngest?probe=trust", {
          method: "POST",
          body: payload,
          headers: { host: "app.test", "content-type": "application/json", "x-inngest-signature": signature },
        }),
      );

    const ok = await call(await signRequestBody(body, KEY, Date.now()), body);
    expect(ok.status).toBe(200);
    // The SDK signs its response with the key that verified the request; check it with ours.
    const responseBody = await ok.text();
    expect(await verifySignature(ok.headers.get("x-inngest-signature"), responseBody, [KEY], Date.now())).toBe(true);

    const tampered = await call(await signRequestBody(body, KEY, Date.now()), body.replace('"z":1', '"z":2'));
    expect(tampered.status).toBe(401);

    // The SDK re-canonicalises before verifying, so a body that is not canonical fails.
    const unsorted = JSON.stringify({ z: 1, a: 1 });
    const notCanonical = await call(await signRequestBody(unsorted, KEY, Date.now()), unsorted);
    expect(notCanonical.status).toBe(401);
  });
});

describe("verifySignature", () => {
  const body = '{"event":{"name":"x"}}';

  it("accepts its own signature and rejects a tampered body", async () => {
    const header = await signRequestBody(body, KEY, NOW);
    expect(await verifySignature(header, body, [KEY], NOW)).toBe(true);
    expect(await verifySignature(header, `${body} `, [KEY], NOW)).toBe(false);
  });

  it("rejects timestamps more than five minutes away in either direction", async () => {
    const header = await signRequestBody(body, KEY, NOW);
    expect(await verifySignature(header, body, [KEY], NOW + 5 * 60_000)).toBe(true);
    expect(await verifySignature(header, body, [KEY], NOW + 5 * 60_000 + 1_000)).toBe(false);
    expect(await verifySignature(header, body, [KEY], NOW - 5 * 60_000 - 1_000)).toBe(false);
  });

  it("accepts a signature made with a fallback key", async () => {
    const header = await signRequestBody(body, FALLBACK, NOW);
    expect(await verifySignature(header, body, [KEY], NOW)).toBe(false);
    expect(await verifySignature(header, body, [KEY, FALLBACK], NOW)).toBe(true);
  });

  it("rejects missing or malformed headers", async () => {
    const { searchParams } = new URL(`http://x/?${await signRequestBody(body, KEY, NOW)}`);
    const s = searchParams.get("s") ?? "";
    for (const header of [null, "", `t=${NOW / 1000}`, `s=${s}`, `t=abc&s=${s}`, `t=${NOW / 1000}&s=zz`]) {
      expect(await verifySignature(header, body, [KEY], NOW)).toBe(false);
    }
    expect(await verifySignature(`t=${NOW / 1000}&s=${s}`, body, [], NOW)).toBe(false);
  });
});

describe("isAuthorizedSdkBearer", () => {
  it("accepts the hashed or raw form of any configured key", async () => {
    const hashed = await hashSigningKey(FALLBACK);
    expect(await isAuthorizedSdkBearer(`Bearer ${await hashSigningKey(KEY)}`, [KEY, FALLBACK])).toBe(true);
    expect(await isAuthorizedSdkBearer(`Bearer ${hashed}`, [KEY, FALLBACK])).toBe(true);
    expect(await isAuthorizedSdkBearer(`bearer ${KEY}`, [KEY])).toBe(true);
  });

  it("accepts what the SDK actually sends", async () => {
    expect(await isAuthorizedSdkBearer(await sdkBearerFor(KEY), [KEY])).toBe(true);
  });

  it("rejects other keys, no key, and the SDK's keyless placeholders", async () => {
    expect(await isAuthorizedSdkBearer(`Bearer ${await hashSigningKey(FALLBACK)}`, [KEY])).toBe(false);
    for (const header of [null, "", "Bearer ", "Bearer undefined", `Basic ${KEY}`, KEY]) {
      expect(await isAuthorizedSdkBearer(header, [KEY])).toBe(false);
    }
    expect(await isAuthorizedSdkBearer(`Bearer ${KEY}`, [])).toBe(false);
    expect(await isAuthorizedSdkBearer("Bearer ", [""])).toBe(false);
  });
});

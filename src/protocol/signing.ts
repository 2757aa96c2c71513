/**
 * Signing keys: request signatures (server → SDK and back) and the hashed bearer token the SDK
 * sends to the server. Web Crypto only, so it runs in workerd.
 * @module
 */
import { SIGNATURE_MAX_SKEW_MS } from "../constants";
import { keyCache } from "./key-cache";

/** The environment prefix of a signing key, e.g. `signkey-prod-`; kept verbatim when hashing. */
const SIGNING_KEY_PREFIX = /^signkey-\w+-/;

const encoder = new TextEncoder();

function withoutPrefix(key: string): string {
  return key.replace(SIGNING_KEY_PREFIX, "");
}

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Decodes hex the way the SDK's hash.js does (`update(key, "hex")`): non-alphanumerics are
 * dropped, an odd length gets a leading `0`, and a pair that is not hex becomes `parseInt`'s
 * leading-digit value or 0. Real keys are plain hex; matching the quirks keeps hand-made
 * development keys such as `signkey-test-secret` hashing to the same token the SDK sends.
 */
function decodeKeyHex(hex: string): Uint8Array<ArrayBuffer> {
  let digits = hex.replace(/[^a-z0-9]+/gi, "");
  if (digits.length % 2 !== 0) digits = `0${digits}`;
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = Number.parseInt(digits.slice(i * 2, i * 2 + 2), 16) || 0;
  }
  return bytes;
}

/** Strict hex decoding for signatures; `undefined` if `hex` is not an even-length hex string. */
function decodeSignatureHex(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  }
  return bytes;
}

/** Compares without an early exit, so the time taken does not reveal a matching prefix. */
function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * The HMAC key is the prefix-less key as UTF-8 text, not hex-decoded (unlike the bearer hash).
 * Imported once per key (key-cache.ts): every signed call to an app needs it.
 */
const importHmacKey = keyCache((signingKey): Promise<CryptoKey> =>
  crypto.subtle.importKey("raw", encoder.encode(withoutPrefix(signingKey)), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]),
);

/**
 * Hash a signing key into the bearer token the SDK sends: the `signkey-<env>-` prefix kept, then
 * the SHA-256 hex of the hex-decoded rest. `signkey-prod-12345678` → `signkey-prod-b2ed99…`.
 * An empty key hashes to `""`, as in the SDK.
 */
export async function hashSigningKey(key: string): Promise<string> {
  if (!key) return "";
  const prefix = SIGNING_KEY_PREFIX.exec(key)?.[0] ?? "";
  const digest = await crypto.subtle.digest("SHA-256", decodeKeyHex(withoutPrefix(key)));
  return `${prefix}${toHex(digest)}`;
}

/**
 * Build the `X-Inngest-Signature` header value for `body` at `nowMs`:
 * `t=<unix seconds>&s=<hex HMAC-SHA256(key, body + t)>`.
 */
export async function signRequestBody(body: string, signingKey: string, nowMs: number): Promise<string> {
  const t = Math.floor(nowMs / 1000).toString();
  const key = await importHmacKey(signingKey);
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(body + t));
  return `t=${t}&s=${toHex(mac)}`;
}

/**
 * Check an `X-Inngest-Signature` header over the exact `body` string against any of `keys`
 * (primary first, then fallbacks). Rejects timestamps more than five minutes from `nowMs` in
 * either direction, as the SDK does.
 */
export async function verifySignature(header: string | null, body: string, keys: string[], nowMs: number): Promise<boolean> {
  if (!header) return false;
  const params = new URLSearchParams(header);
  const t = params.get("t") ?? "";
  const signature = decodeSignatureHex(params.get("s") ?? "");
  if (!/^\d+$/.test(t) || !signature || signature.length === 0) return false;
  if (Math.abs(nowMs - Number(t) * 1000) > SIGNATURE_MAX_SKEW_MS) return false;
  const message = encoder.encode(body + t);
  for (const signingKey of keys) {
    if (!signingKey) continue;
    // subtle.verify compares in constant time.
    if (await crypto.subtle.verify("HMAC", await importHmacKey(signingKey), signature, message)) {
      return true;
    }
  }
  return false;
}

/** A configured key's bearer token, hashed once per key (key-cache.ts): every authenticated request checks it. */
const bearerTokenOf = keyCache(hashSigningKey);

/**
 * Whether an SDK → server `Authorization` header carries one of `signingKeys`, either hashed (what
 * the SDK sends) or raw (what the Inngest dev server also accepts).
 */
export async function isAuthorizedSdkBearer(authorization: string | null, signingKeys: string[]): Promise<boolean> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  const token = match?.[1];
  if (!token) return false;
  let authorized = false;
  for (const key of signingKeys) {
    if (!key) continue;
    // Check every candidate so the time taken does not depend on which key matched.
    const hashed = await bearerTokenOf(key);
    authorized = timingSafeEqual(token, hashed) || timingSafeEqual(token, key) || authorized;
  }
  return authorized;
}

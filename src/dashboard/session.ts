/**
 * Dashboard sessions: a cookie holding an expiry time and an HMAC of it keyed by the signing key.
 * Nothing is stored server-side; rotating the signing key ends every session.
 * @module
 */

/** The cookie the dashboard login sets. */
export const SESSION_COOKIE = "stepflare_session";

const encoder = new TextEncoder();

function hmacKey(signingKey: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(signingKey), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

/** The MAC'd message names its purpose, so the value cannot be confused with any other HMAC of the key. */
function message(expiresAt: number): Uint8Array {
  return encoder.encode(`stepflare-dashboard-session:${expiresAt}`);
}

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]+$/.test(hex)) return null;
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

/** A session cookie value valid until `expiresAt` (ms). */
export async function createSession(signingKey: string, expiresAt: number): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(signingKey), message(expiresAt));
  return `${expiresAt}.${toHex(mac)}`;
}

/** Whether `value` is an unexpired session made with one of `keys`. */
export async function verifySession(value: string, keys: string[], now: number): Promise<boolean> {
  const match = /^(\d+)\.([0-9a-f]+)$/.exec(value);
  const expiresAt = Number(match?.[1]);
  const mac = fromHex(match?.[2] ?? "");
  if (!match || !mac || !(expiresAt > now)) return false;
  for (const key of keys) {
    // subtle.verify compares in constant time.
    if (await crypto.subtle.verify("HMAC", await hmacKey(key), mac, message(expiresAt))) return true;
  }
  return false;
}

/** A stand-in origin for resolving `next`: only a path on it is accepted. */
const SAME_SITE_BASE = "http://same-site.invalid";

/**
 * Where to send someone after logging in: `next` when it is a path on this site, else `/`.
 * Browsers drop tabs and newlines from URLs (so `/\t/evil.example` would become
 * `//evil.example`) and read `\` as `/`, so both are refused outright; CR and LF could not be
 * put in a header at all. What is left is re-encoded by the URL parser, which never fails here.
 */
export function sameSiteNext(next: string | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || /[\u0000-\u001f\u007f\\]/.test(next)) return "/";
  const url = new URL(next, SAME_SITE_BASE);
  if (url.origin !== SAME_SITE_BASE) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}

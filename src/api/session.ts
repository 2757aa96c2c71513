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

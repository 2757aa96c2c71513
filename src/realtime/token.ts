/**
 * Realtime subscription tokens: HS256 JWTs, as Inngest issues them, naming one channel and the
 * topics of it that the holder may read, and expiring after REALTIME_TOKEN_TTL_MS. The SDK treats
 * a token as an opaque string (`{ jwt }` from `POST /v1/realtime/token`, passed back as `?token=`).
 * The signing secret is derived from the server's key (token-keys.ts) and never leaves the server.
 * @module
 */
import { z } from "zod";
import { decodeUtf8Strictly } from "../util/utf8";
import { REALTIME_MAX_NAME_CHARS, REALTIME_MAX_TOPICS, REALTIME_TOKEN_TTL_MS } from "../constants";

/** Who issued a token; a token of another issuer is refused. */
const ISSUER = "stepflare";

const encoder = new TextEncoder();

/** A channel or topic name: non-empty and short enough to be a WebSocket tag. */
export const realtimeName = z.string().min(1).max(REALTIME_MAX_NAME_CHARS);

/** What a token grants: reading `topics` of `channel`. */
export interface Subscription {
  channel: string;
  topics: string[];
}

const claimsSchema = z.object({
  iss: z.literal(ISSUER),
  iat: z.number(),
  exp: z.number(),
  jti: z.string(),
  channel: realtimeName,
  topics: z.array(realtimeName).min(1).max(REALTIME_MAX_TOPICS),
});

const headerSchema = z.object({ alg: z.literal("HS256"), typ: z.literal("JWT") });

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

function jsonPart(part: string): unknown {
  const bytes = fromBase64url(part);
  if (!bytes) return undefined;
  const text = decodeUtf8Strictly(bytes);
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function hmacKey(secret: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

/** A token for `subscription`, signed with `secret`, valid from `nowMs` for `ttlMs`. */
export async function mintToken(subscription: Subscription, secret: Uint8Array<ArrayBuffer>, nowMs: number, ttlMs = REALTIME_TOKEN_TTL_MS): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  const claims = {
    iss: ISSUER,
    iat,
    exp: iat + Math.ceil(ttlMs / 1000),
    jti: crypto.randomUUID(),
    channel: subscription.channel,
    topics: subscription.topics,
  };
  const unsigned = `${base64url(encoder.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })))}.${base64url(encoder.encode(JSON.stringify(claims)))}`;
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(unsigned));
  return `${unsigned}.${base64url(new Uint8Array(mac))}`;
}

/** Why a token was refused; each is a 401. */
export type TokenRefusal = "missing" | "malformed" | "bad-signature" | "expired";

/** The answer of {@link verifyToken}. */
export type TokenCheck = { ok: true; subscription: Subscription } | { ok: false; reason: TokenRefusal };

/**
 * What `token` grants, if it is well formed, signed with one of `secrets` (the primary key's and
 * the fallback's, so tokens survive a key rotation) and not expired at `nowMs`.
 */
export async function verifyToken(token: string | undefined, secrets: Uint8Array<ArrayBuffer>[], nowMs: number): Promise<TokenCheck> {
  if (!token) return { ok: false, reason: "missing" };
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "malformed" };
  const [header, payload, signature] = parts as [string, string, string];
  const mac = fromBase64url(signature);
  if (!mac || !headerSchema.safeParse(jsonPart(header)).success) return { ok: false, reason: "malformed" };
  let signed = false;
  for (const secret of secrets) {
    // subtle.verify compares in constant time.
    if (await crypto.subtle.verify("HMAC", await hmacKey(secret), mac, encoder.encode(`${header}.${payload}`))) {
      signed = true;
      break;
    }
  }
  if (!signed) return { ok: false, reason: "bad-signature" };
  const claims = claimsSchema.safeParse(jsonPart(payload));
  if (!claims.success) return { ok: false, reason: "malformed" };
  if (claims.data.exp * 1000 <= nowMs) return { ok: false, reason: "expired" };
  return { ok: true, subscription: { channel: claims.data.channel, topics: claims.data.topics } };
}

/** The words a 401 uses for each refusal. */
export const TOKEN_REFUSALS: Record<TokenRefusal, string> = {
  missing: "a realtime subscription token is required: pass `?token=` from POST /v1/realtime/token",
  malformed: "the realtime subscription token is malformed",
  "bad-signature": "the realtime subscription token was not issued by this server",
  expired: "the realtime subscription token has expired; request a new one from POST /v1/realtime/token",
};

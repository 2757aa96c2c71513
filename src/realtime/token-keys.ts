/**
 * The secrets realtime tokens are signed with. Production mode derives one per signing key
 * (primary first, then the fallback), so the signing key itself never signs anything a browser
 * holds and rotating it retires every token. Dev mode uses one public key, as Inngest's dev
 * server does: a dev server mints tokens for anyone, so they only follow the protocol.
 * @module
 */
import { REALTIME_DEV_TOKEN_KEY } from "../constants";
import type { Env } from "../env";
import { isProduction, signingKeys } from "../mode";

const encoder = new TextEncoder();

/** HMAC-SHA256 of a fixed label under `key`: a secret of its own for realtime tokens. */
async function derive(key: string): Promise<Uint8Array<ArrayBuffer>> {
  const hmac = await crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", hmac, encoder.encode("stepflare-realtime-token-v1")));
}

/** The token secrets for this server's mode, the one to sign with first. */
export async function tokenSecrets(env: Pick<Env, "INNGEST_SIGNING_KEY" | "INNGEST_SIGNING_KEY_FALLBACK">): Promise<Uint8Array<ArrayBuffer>[]> {
  const keys = isProduction(env) ? signingKeys(env) : [REALTIME_DEV_TOKEN_KEY];
  return Promise.all(keys.map(derive));
}

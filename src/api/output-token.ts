/**
 * The token that lets a durable endpoint's caller read one run's output
 * (`GET /v1/http/runs/:id/output?token=`) without the signing key: the hex HMAC-SHA256 of the run
 * id under the signing key, so it names exactly one run and needs no storage. A dev server has
 * no key and no secrets (its REST API is open), so its tokens are keyed with a fixed string.
 * @module
 */
import type { Env } from "../env";

const encoder = new TextEncoder();
/** The key of dev-mode tokens: dev mode guards nothing, so this only keeps the format. */
const DEV_TOKEN_KEY = "stepflare-dev-endpoint-output";
/** Binds the MAC to this use, so it cannot stand for any other value signed with the same key. */
const PURPOSE = "stepflare-endpoint-output:";

async function mac(env: Pick<Env, "INNGEST_SIGNING_KEY">, runId: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(env.INNGEST_SIGNING_KEY || DEV_TOKEN_KEY), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(PURPOSE + runId)));
}

/** The output token of run `runId` (64 hex characters, safe in a URL as is). */
export async function outputToken(env: Pick<Env, "INNGEST_SIGNING_KEY">, runId: string): Promise<string> {
  return [...(await mac(env, runId))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether `token` is run `runId`'s output token; compared in constant time. */
export async function isOutputToken(env: Pick<Env, "INNGEST_SIGNING_KEY">, runId: string, token: string): Promise<boolean> {
  const expected = encoder.encode(await outputToken(env, runId));
  const given = encoder.encode(token);
  if (given.byteLength !== expected.byteLength) return false;
  return crypto.subtle.timingSafeEqual(given, expected);
}

import type { Env } from "./env";

/** Production mode: a signing key is configured. Otherwise stepflare runs as a dev server. */
export function isProduction(env: Pick<Env, "INNGEST_SIGNING_KEY">): boolean {
  return typeof env.INNGEST_SIGNING_KEY === "string" && env.INNGEST_SIGNING_KEY.length > 0;
}

/** The server kind SDKs see in `X-Inngest-Server-Kind`. */
export function serverKind(env: Pick<Env, "INNGEST_SIGNING_KEY">): "dev" | "cloud" {
  return isProduction(env) ? "cloud" : "dev";
}

/** The configured signing keys, primary first; anything signed with either is accepted. */
export function signingKeys(env: Pick<Env, "INNGEST_SIGNING_KEY" | "INNGEST_SIGNING_KEY_FALLBACK">): string[] {
  return [env.INNGEST_SIGNING_KEY, env.INNGEST_SIGNING_KEY_FALLBACK].filter((k): k is string => !!k);
}

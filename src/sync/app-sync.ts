/**
 * Server-initiated sync: `PUT <app serve URL>` asking for the config in-band, the way the Inngest
 * dev server and its conformance runner do. An app that `STEPFLARE_APP_BINDINGS` maps to a
 * Service Binding is asked through that binding, and an in-process app (`local://`) through a
 * call on its handler, as its calls will be.
 * @module
 */
import { APP_SYNC_TIMEOUT_MS, MAX_JSON_DEPTH, MAX_SYNC_BODY_BYTES } from "../constants";
import { readStreamText, type BodyText } from "../util/body-limit";
import { jsonNestsDeeperThan, tooDeepMessage } from "../util/json-depth";
import type { Env } from "../env";
import { withDeadline } from "../util/deadline";
import { serverKind } from "../mode";
import { fetchWithinPolicy, outboundPolicy } from "../net/outbound";
import { canonicalJson } from "../protocol/jcs";
import { signRequestBody } from "../protocol/signing";
import { appCarriers } from "./app-carrier";
import { interpretSyncResponse, pointHint, type SyncOutcome } from "./sync-response";

/**
 * Asks the app at `appUrl` (already normalised) for its config. The SDK answers in-band unless
 * the app disabled it (`INNGEST_ALLOW_IN_BAND_SYNC=false`), in which case it POSTs
 * `/fn/register` to this server during the request and answers with that call's outcome.
 */
export async function requestAppSync(
  appUrl: string,
  env: Pick<Env, "INNGEST_SIGNING_KEY" | "STEPFLARE_APP_BINDINGS" | "STEPFLARE_ALLOW_PRIVATE_URLS">,
  serverOrigin: string,
  nowMs: number,
): Promise<SyncOutcome> {
  const kind = serverKind(env);
  const carrier = appCarriers(env)(appUrl);
  if (!carrier.ok) return { kind: "error", status: 500, error: carrier.error };
  // The SDK verifies the signature over the JCS form of the body, so send exactly that form.
  const body = canonicalJson({ url: appUrl });
  const headers = new Headers({
    "Content-Type": "application/json",
    "X-Inngest-Server-Kind": kind,
    "X-Inngest-Sync-Kind": "in_band",
  });
  if (env.INNGEST_SIGNING_KEY) {
    headers.set("X-Inngest-Signature", await signRequestBody(body, env.INNGEST_SIGNING_KEY, nowMs));
  }
  let response: Response;
  let read: BodyText;
  try {
    ({ response, read } = await withDeadline(APP_SYNC_TIMEOUT_MS, async (signal) => {
      const init = { method: "PUT", headers, body, signal };
      // A binding reaches the bound Worker only; URLs are checked against the outbound policy,
      // redirects included, hop by hop in production mode (src/net/outbound.ts).
      const response = carrier.kind === "http" ? await fetchWithinPolicy(appUrl, init, outboundPolicy(env)) : await carrier.fetch(appUrl, init);
      // Read like a request body: capped, strict UTF-8, so a hostile app cannot fill memory.
      return { response, read: await readStreamText(response.body, response.headers.get("content-length"), MAX_SYNC_BODY_BYTES) };
    }));
  } catch (error) {
    // Why the request failed stays in the log: refused, reset or timed out would tell a caller
    // what listens at an address it cannot reach itself.
    console.warn(`stepflare: sync request to ${appUrl} failed:`, error);
    return {
      kind: "error",
      status: 422,
      error:
        carrier.kind === "service"
          ? `could not reach the app at ${appUrl} through Service Binding ${carrier.binding}; ` +
            `make sure the bound Worker serves its Inngest handler at that path`
          : carrier.kind === "local"
            ? `the in-process app "${carrier.app}" failed to answer the sync of ${appUrl}; see the Worker's log`
            : `could not reach the app at ${appUrl}; make sure it is running and serves ` +
              `its Inngest handler at that URL, and ${pointHint({ serverKind: kind, serverOrigin })}`,
    };
  }
  const refused = refusedAnswer(read);
  if (refused !== null) return { kind: "error", status: 400, error: `the app at ${appUrl} answered the sync with a ${refused}` };
  return interpretSyncResponse(
    { status: response.status, syncKind: response.headers.get("X-Inngest-Sync-Kind"), body: read.ok ? read.text : "" },
    { appUrl, serverKind: kind, serverOrigin },
  );
}

/** What is wrong with the app's answer body (its size, encoding or depth), or null when nothing. */
function refusedAnswer(read: BodyText): string | null {
  if (!read.ok) return read.error.replace(/^request body/, "body");
  return jsonNestsDeeperThan(read.text, MAX_JSON_DEPTH) ? tooDeepMessage("body", MAX_JSON_DEPTH) : null;
}

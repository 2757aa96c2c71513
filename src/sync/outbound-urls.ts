/**
 * The outbound policy (src/net/outbound.ts) applied to what a sync stores: the app URL and every
 * http step URL of its functions, which the server later calls. Checked at sync, so a refused
 * URL is a 400 naming the field rather than a run that fails later.
 * @module
 */
import { isLocalAppUrl } from "./local-url";
import { type OutboundPolicy, refusedUrl } from "../net/outbound";
import type { FunctionConfig } from "./function-config";

/** Why the policy refuses `url`; an in-process app's `local://` URL never leaves the Worker, so none. */
function refusedAppUrl(url: string, policy: OutboundPolicy): string | null {
  return isLocalAppUrl(url) ? null : refusedUrl(url, policy);
}

/** The first URL the policy refuses, as `<field>: <why>`; null when all may be called. */
export function refusedSyncUrl(appUrl: string, functions: FunctionConfig[], policy: OutboundPolicy): string | null {
  const app = refusedAppUrl(appUrl, policy);
  if (app !== null) return `url: ${app}`;
  for (const fn of functions) {
    for (const [key, step] of Object.entries(fn.steps)) {
      if (step.runtime.type !== "http") continue;
      const why = refusedAppUrl(step.runtime.url, policy);
      if (why !== null) return `function "${fn.id}": steps.${key}.runtime.url: ${why}`;
    }
  }
  return null;
}

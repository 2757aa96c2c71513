/**
 * How a request reaches an app: the global `fetch` to its URL (the `http` transport), a
 * Service Binding named in `STEPFLARE_APP_BINDINGS` (the `service` transport), or, for a
 * `local://<app>/...` URL, a function call on a serve handler registered in this Worker (the
 * `local` transport). Sync and every call choose the same way, so an app is reached the same way
 * from its first request on.
 * @module
 */
import type { Env } from "../env";
import { inProcessFetch } from "./local-carrier";
import { localAppName } from "./local-url";
import { bindingFor, parseAppBindings } from "./app-bindings";

/** Sends one request to the app; the same shape as the global `fetch`. */
export type AppFetch = (url: string, init: RequestInit) => Promise<Response>;

/** How to reach one app URL, or why it cannot be reached (a configuration error to fix). */
export type AppCarrier =
  | { ok: true; kind: "http"; fetch: AppFetch }
  | { ok: true; kind: "service"; binding: string; fetch: AppFetch }
  | { ok: true; kind: "local"; app: string; fetch: AppFetch }
  | { ok: false; error: string };

/** A Service Binding as the runtime hands it over: anything with a `fetch` method. */
function isFetcher(value: unknown): value is Fetcher {
  return typeof value === "object" && value !== null && typeof (value as { fetch?: unknown }).fetch === "function";
}

/**
 * Returns the chooser for this Worker's configuration; the variable is parsed once. A bad value,
 * or a name that is not a Service Binding of this Worker, makes every lookup report the cause.
 */
export function appCarriers(env: Pick<Env, "STEPFLARE_APP_BINDINGS">): (appUrl: string) => AppCarrier {
  const setting = parseAppBindings(env.STEPFLARE_APP_BINDINGS);
  const bindings = env as unknown as Record<string, unknown>;
  return (appUrl) => {
    const local = localAppName(appUrl);
    if (local !== null) return localCarrier(local, appUrl, env);
    if (!setting.ok) return { ok: false, error: setting.error };
    const name = bindingFor(setting.bindings, appUrl);
    if (name === undefined) return { ok: true, kind: "http", fetch: (url, init) => fetch(url, init) };
    const binding = bindings[name];
    if (!isFetcher(binding)) {
      return {
        ok: false,
        error:
          `STEPFLARE_APP_BINDINGS sends ${appUrl} through "${name}", but this Worker has no Service Binding ` +
          `by that name; add [[services]] binding = "${name}" with the app Worker's name to wrangler.toml`,
      };
    }
    return { ok: true, kind: "service", binding: name, fetch: (url, init) => binding.fetch(url, withHostHeader(url, init)) };
  };
}

/**
 * `init` with the `Host` header an HTTP request to `url` carries. A request handed to a binding
 * has none of its own, and `serve` from `inngest/cloudflare` resolves the request URL against it
 * (it fails every request without one).
 */
function withHostHeader(url: string, init: RequestInit): RequestInit {
  const headers = new Headers(init.headers);
  headers.set("Host", new URL(url).host);
  return { ...init, headers };
}

/** The in-process handler registered as `name`, or what to do when there is none. */
function localCarrier(name: string, appUrl: string, env: object): AppCarrier {
  const fetch = inProcessFetch(name, env);
  if (fetch) return { ok: true, kind: "local", app: name, fetch };
  return {
    ok: false,
    error:
      `${appUrl} names the in-process app "${name}", but this Worker registers none by that name; ` +
      `pass its serve handler to stepflare({ apps: { "${name}": ... } }) in the Worker's entry module (README, "Functions in the same Worker")`,
  };
}

/**
 * Calls to the server's JSON API, and the server's own address.
 * @module
 */
import type { AppWithFunctions, FunctionConfig } from "./api-types";

/** A request to the API: a body that is not a string is sent as JSON. */
export interface ApiOptions {
  method?: string;
  body?: unknown;
}

/**
 * Calls the server's JSON API and resolves with its answer, typed as the caller expects (the
 * server's types in api-types.ts); throws an Error carrying the server's own message.
 */
export async function api<T>(path: string, options: ApiOptions = {}): Promise<T> {
  const headers: Record<string, string> = {};
  const init: RequestInit = { method: options.method, headers };
  if (options.body !== undefined) {
    init.body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["Content-Type"] = "application/json";
  }
  const res = await fetch(path, init);
  if (res.status === 401 && document.body.dataset.mode === "production") location.href = "/login";
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok || body.error) throw new Error(body.error || res.status + " " + res.statusText);
  return body as T;
}

/** The origin apps should point INNGEST_DEV / INNGEST_BASE_URL at. */
export function serverUrl(): string {
  return location.origin;
}

/** A synced function with its app, for filter menus. */
export interface FunctionChoice {
  id: string;
  name: string;
  app: string;
  config: FunctionConfig;
}

/** Every synced function, for filter menus. */
export async function allFunctions(): Promise<FunctionChoice[]> {
  const { apps } = await api<{ apps: AppWithFunctions[] }>("/v0/apps");
  return apps.flatMap((app) => app.functions.map((fn) => ({ id: fn.id, name: fn.name, app: app.id, config: fn.config })));
}

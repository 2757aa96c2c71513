import { waitFor } from "./wait";

/** A run as `GET /v1/events/:id/runs` returns it. */
export interface ApiRun {
  run_id: string;
  function_id: string;
  status: "Running" | "Completed" | "Failed" | "Cancelled";
  output: unknown;
  error: { name?: string; message?: string } | null;
}

/** Signing keys of servers running in production mode, whose REST API needs one as bearer. */
const signingKeys = new Map<string, string>();

/** Makes the helpers below authenticate to `serverUrl` with `signingKey` (production mode). */
export function useSigningKey(serverUrl: string, signingKey: string): void {
  signingKeys.set(serverUrl, signingKey);
}

/** `fetch` of a server's REST API, with its signing key as bearer when it has one. */
function apiFetch(serverUrl: string, path: string, init: RequestInit = {}): Promise<Response> {
  const key = signingKeys.get(serverUrl);
  const headers = { ...(init.headers as Record<string, string> | undefined), ...(key ? { Authorization: `Bearer ${key}` } : {}) };
  return fetch(`${serverUrl}${path}`, { ...init, headers });
}

/** Asks the server to sync the app at `appUrl`; throws with the server's answer on failure. */
export async function syncApp(serverUrl: string, appUrl: string): Promise<void> {
  const res = await apiFetch(serverUrl, "/v0/apps/sync", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ url: appUrl }),
  });
  if (!res.ok) throw new Error(`sync failed: ${res.status} ${await res.text()}`);
}

/** Sends events through the event API; returns their ids. */
export async function sendEvents(serverUrl: string, events: unknown): Promise<string[]> {
  const res = await fetch(`${serverUrl}/e/test-key`, { method: "POST", body: JSON.stringify(events) });
  const body = (await res.json()) as { ids: string[]; status: number; error?: string };
  if (body.status !== 200) throw new Error(`send failed: ${JSON.stringify(body)}`);
  return body.ids;
}

/** The runs an event started. */
export async function runsOf(serverUrl: string, eventId: string): Promise<ApiRun[]> {
  const res = await apiFetch(serverUrl, `/v1/events/${eventId}/runs`);
  return ((await res.json()) as { data: ApiRun[] }).data;
}

/** Waits until the event has `count` runs and all of them ended; returns them. */
export async function waitForEndedRuns(serverUrl: string, eventId: string, count = 1, timeoutMs = 60_000): Promise<ApiRun[]> {
  return waitFor(
    async () => {
      const runs = await runsOf(serverUrl, eventId);
      return runs.length === count && runs.every((r) => r.status !== "Running") ? runs : undefined;
    },
    timeoutMs,
    `${count} ended run(s) for event ${eventId}`,
  );
}

/** How the server processed an event: `pending`, `routed`, `duplicate` or `failed`. */
export async function eventStatus(serverUrl: string, eventId: string): Promise<string | undefined> {
  const res = await apiFetch(serverUrl, `/v1/events/${eventId}`);
  if (!res.ok) return undefined;
  return ((await res.json()) as { data: { status: string } }).data.status;
}

/**
 * Sends `event` every second until the run `eventId` started has ended, then returns that run.
 * A wait only sees events sent after it registered; repeating the send makes a test independent
 * of how soon that happens without changing which event resumes the run.
 */
export async function sendUntilEnded(serverUrl: string, eventId: string, event: unknown, timeoutMs = 60_000): Promise<ApiRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await sendEvents(serverUrl, event);
    const ended = await waitForEndedRuns(serverUrl, eventId, 1, 1_000).catch(() => undefined);
    if (ended) return ended[0]!;
    if (Date.now() > deadline) throw new Error(`run of event ${eventId} did not end after sending ${JSON.stringify(event)}`);
  }
}

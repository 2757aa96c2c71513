import { exports } from "cloudflare:workers";

/** The main Worker's default export, reached through its loopback binding. */
const worker = (exports as unknown as { default: Fetcher }).default;

/** The origin tests address the Worker at; any host reaches it. */
export const ORIGIN = "http://stepflare.test";

/** Sends a request to the Worker's `fetch` handler. */
export function workerFetch(path: string, init?: RequestInit): Promise<Response> {
  return worker.fetch(`${ORIGIN}${path}`, init);
}

/** The answer to `POST /e/:key`. */
export interface IngestBody {
  ids: string[];
  status: number;
  error?: string;
}

/** Posts `body` (JSON-encoded unless a string) to the event API. */
export async function postEvents(
  body: unknown,
  { key = "test-key", headers = {} }: { key?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: IngestBody; headers: Headers }> {
  const res = await workerFetch(`/e/${key}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as IngestBody, headers: res.headers };
}

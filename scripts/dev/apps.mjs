/**
 * Keeps apps in sync from the dev process, as Inngest's dev server does: every poll interval it
 * discovers apps on the usual local ports (scripts/dev/discovery.mjs), then checks each known app
 * (the -u URLs, the discovered ones and the apps the server has synced) and asks the server to
 * sync it when its function set changed. The check is the SDK's in-band sync answer, read by this
 * process only: its app id, version, URL and function configs are hashed, and an unchanged hash
 * costs one PUT to the app and nothing on the server. This runs beside the Worker, never in it:
 * production deploys neither discover nor poll.
 * @module
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { APP_CHECK_TIMEOUT_MS, MAX_APP_ANSWER_BYTES, SERVER_SYNC_TIMEOUT_MS } from "./discovery-settings.mjs";
import { createDiscovery } from "./discovery.mjs";

const healthSchema = z.object({ mode: z.string() });
const appsSchema = z.object({ apps: z.array(z.object({ url: z.string() })) });
const syncAnswerSchema = z.union([
  z.object({ ok: z.literal(true), app_id: z.string().nullable(), modified: z.boolean().optional() }),
  z.object({ error: z.string() }),
]);
/** What of the SDK's in-band sync answer says which functions the app serves. */
const inBandSchema = z.object({
  app_id: z.string(),
  appVersion: z.string().optional(),
  url: z.string(),
  functions: z.array(z.unknown()),
});

/**
 * Reads at most MAX_APP_ANSWER_BYTES of `res`; null past it.
 * @param {Response} res
 */
async function boundedText(res) {
  const reader = res.body?.getReader();
  if (!reader) return "";
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_APP_ANSWER_BYTES) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Asks the app at `url` for its config in-band, as the server's sync does, without the server.
 * Resolves with the hash of its function set, `{ unreachable }` when nothing answers, or
 * `{ problem }` when it answers with something else than an in-band config.
 */
async function checkApp(url) {
  let res;
  try {
    res = await fetch(url, {
      method: "PUT",
      headers: { "Content-Type": "application/json", "X-Inngest-Sync-Kind": "in_band", "X-Inngest-Server-Kind": "dev" },
      body: JSON.stringify({ url }),
      signal: AbortSignal.timeout(APP_CHECK_TIMEOUT_MS),
    });
  } catch {
    return { unreachable: true };
  }
  const text = await boundedText(res).catch(() => null);
  if (res.headers.get("x-inngest-sync-kind") !== "in_band") {
    // An SDK that does not sync in-band registered itself with its own server during the PUT,
    // which is a sync already (the server skips unchanged functions itself).
    return res.ok ? { outOfBand: true } : { problem: `answered the check with HTTP ${res.status}; is it in dev mode (INNGEST_DEV=1)?` };
  }
  if (!res.ok || text === null) return { problem: `answered the check with HTTP ${res.status}${text === null ? " and an oversized body" : ""}` };
  let parsed;
  try {
    parsed = inBandSchema.safeParse(JSON.parse(text));
  } catch {
    return { problem: "answered the check with a body that is not JSON" };
  }
  if (!parsed.success) return { problem: "answered the check with a config this server cannot read" };
  const { app_id, appVersion, url: reported, functions } = parsed.data;
  const hash = createHash("sha256")
    .update(JSON.stringify([app_id, appVersion ?? null, reported, functions]))
    .digest("hex");
  return { hash, appId: app_id, count: functions.length };
}

/**
 * Starts the rounds; they go on for as long as the process runs, one at a time.
 * @param {{
 *   serverUrl: string,
 *   sdkUrls: string[],
 *   discoveryPorts: number[] | null,
 *   poll: boolean,
 *   intervalMs: number,
 *   log: (line: string) => void,
 * }} settings `discoveryPorts` null turns discovery off; `poll` false syncs each app once.
 */
export function startAppSync({ serverUrl, sdkUrls, discoveryPorts, poll, intervalMs, log }) {
  const discovery = discoveryPorts === null ? null : createDiscovery(discoveryPorts);
  const discovered = new Set();
  /** URL → { hash?: string, synced: boolean, said?: string } */
  const apps = new Map();
  const stateOf = (url) => apps.get(url) ?? apps.set(url, { synced: false }).get(url);
  /** Prints `line` about `url` unless it is what was last printed about it. */
  const sayOnce = (url, line) => {
    const state = stateOf(url);
    if (state.said !== line) log(line);
    state.said = line;
  };

  const serverJson = async (path, init = {}, timeoutMs = APP_CHECK_TIMEOUT_MS) => {
    const res = await fetch(`${serverUrl}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.json() };
  };

  const syncApp = async (url) => {
    const state = stateOf(url);
    const check = await checkApp(url);
    if ("unreachable" in check) return;
    if ("problem" in check) return sayOnce(url, `app at ${url} ${check.problem}`);
    if ("outOfBand" in check) {
      state.synced = true;
      return;
    }
    if (state.hash === check.hash) return;
    let answer;
    try {
      const { body } = await serverJson(
        "/v0/apps/sync",
        { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ url }) },
        SERVER_SYNC_TIMEOUT_MS,
      );
      answer = syncAnswerSchema.parse(body);
    } catch {
      return; // The server is restarting or busy: the next round tries again.
    }
    // Recorded either way: the same functions would get the same answer, so they are not sent again.
    state.hash = check.hash;
    if ("error" in answer) return sayOnce(url, `could not sync the app at ${url}: ${answer.error}`);
    const first = !state.synced;
    state.synced = true;
    if (first || answer.modified) sayOnce(url, `synced app "${check.appId}" at ${url}: ${check.count} function(s)`);
  };

  const round = async () => {
    const health = healthSchema.safeParse((await serverJson("/health")).body);
    if (health.success && health.data.mode !== "dev") {
      log("production mode (INNGEST_SIGNING_KEY is set): apps are not discovered or polled; sync them with the SDK");
      return false;
    }
    const synced = poll ? appsSchema.parse((await serverJson("/v0/apps")).body).apps.map((app) => app.url) : [];
    const known = new Set([...sdkUrls, ...discovered, ...synced]);
    for (const url of discovery ? await discovery.round(known) : []) {
      discovered.add(url);
      known.add(url);
    }
    await Promise.all([...known].filter((url) => poll || !stateOf(url).synced).map(syncApp));
    return true;
  };

  const next = async () => {
    const goOn = await round().catch(() => true);
    if (goOn) setTimeout(next, intervalMs);
  };
  void next();
}

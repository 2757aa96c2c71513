/**
 * The request fuzzer (issue 8): thousands of generated hostile requests to every public route,
 * in dev and in production mode, against the real Worker in workerd. Every answer is below 500;
 * every 4xx is JSON naming the problem without anything internal; no request without valid
 * credentials succeeds in production mode; `/health` keeps answering in between; and nothing a
 * refused request sent is stored.
 *
 * Requests come from fast-check with a seed printed on failure; replay one with
 * `STEPFLARE_FUZZ_SEED=<seed> npx vitest run --project workers tests/workers/fuzz.test.ts`.
 * `STEPFLARE_FUZZ_RUNS` changes the number of requests per mode.
 */
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { app } from "../../src/api/app";
import type { Env } from "../../src/env";
import { hashSigningKey, signRequestBody } from "../../src/protocol/signing";
import { SCHEDULER_NAME } from "../../src/cron/heartbeat";
import { FUZZ_APP_URL, HOSTILE_APP_ORIGIN } from "./helpers/fuzz-bodies";
import { APP_SECRET, HOSTILE_CALL_ANSWERS, stubNetwork } from "./helpers/fuzz-network";
import { anyRequest, type FuzzContext, type Mode, type RequestSpec, ROUTES } from "./helpers/fuzz-routes";
import { buildText } from "./helpers/fuzz-values";
import { growth, type StoredCounts, storedCounts } from "./helpers/stored-counts";

const KEY = "signkey-prod-0123456789abcdef0123456789abcdef";
const WRONG_KEY = "signkey-prod-fedcba9876543210fedcba9876543210";
const EVENT_KEY = "ek-fuzz";
const PROD: Env = { ...env, INNGEST_SIGNING_KEY: KEY, INNGEST_EVENT_KEY: `${EVENT_KEY},other` };
const ORIGIN = "http://stepflare.test";
const worker = (exports as unknown as { default: Fetcher }).default;

const fuzzEnv = env as unknown as { STEPFLARE_FUZZ_SEED?: string; STEPFLARE_FUZZ_RUNS?: string };
/** Requests per mode: enough for every route to see each kind of hostile body many times. */
const RUNS_PER_MODE = /^\d+$/.test(fuzzEnv.STEPFLARE_FUZZ_RUNS ?? "") ? Number(fuzzEnv.STEPFLARE_FUZZ_RUNS) : 2_000;
/** `GET /health` is asked after every this many fuzzed requests. */
const HEALTH_EVERY = 20;
/** Longest wait for work that accepted requests started (queue, runs) to settle before counting. */
const SETTLE_MS = 20_000;

/**
 * Words that only an internal error would put in an answer: stack frames (`at fn (file:1:2)`,
 * `at /dir/file.js:1:2`; not prose such as "at least 1 ... 15:04:05Z"), storage and runtime
 * errors. (The JSON parser's "Unexpected token ... is not valid JSON" is allowed: the event API
 * passes it on to say where a body is broken, and it quotes only the sender's own bytes.)
 */
const INTERNAL_TEXT =
  /\n\s+at |\bat [^\s()]+ \([^)]*:\d+:\d+\)|\bat [^\s()]*([/\\]|\.m?[jt]s)[^\s()]*:\d+:\d+|SQLITE_|D1_ERROR|no such (table|column)|TypeError|ReferenceError|RangeError|internal error|\.ts:\d+/;

function seedFor(mode: Mode): number {
  const given = fuzzEnv.STEPFLARE_FUZZ_SEED ?? "";
  const base = /^\d+$/.test(given) ? Number(given) : Math.floor(Math.random() * 2 ** 31);
  // Production mode gets its own stream from the same seed, so one seed replays both.
  return mode === "dev" ? base : (base + 1) | 0;
}

/** Credentials: what authorises in production mode, and what must not (wrong keys, signatures, junk). */
async function fuzzContext(mode: Mode, knownIds: string[]): Promise<FuzzContext> {
  const now = Date.now();
  const signed = (key: string, at: number) => signRequestBody("", key, at);
  return {
    mode,
    eventKey: EVENT_KEY,
    knownIds,
    validAuth: [{ Authorization: `Bearer ${KEY}` }, { Authorization: `Bearer ${await hashSigningKey(KEY)}` }],
    invalidAuth: [
      {},
      { Authorization: `Bearer ${WRONG_KEY}` },
      { Authorization: `Bearer ${await hashSigningKey(WRONG_KEY)}` },
      { Authorization: "Bearer " },
      { Authorization: `Basic ${btoa(`user:${KEY}`)}` },
      { Authorization: `Bearer ${"k".repeat(20_000)}` },
      { Authorization: `bearer${KEY}` },
      { Authorization: `Bearer ${KEY.slice(0, -1)}` },
      // Request signatures are how the server signs to apps; as credentials to the server they mean nothing.
      { "X-Inngest-Signature": await signed(KEY, now) },
      { "X-Inngest-Signature": await signed(KEY, now - 10 * 60_000) },
      { "X-Inngest-Signature": await signed(KEY, now + 10 * 60_000) },
      { "X-Inngest-Signature": await signed(WRONG_KEY, now) },
      { "X-Inngest-Signature": "t=abc&s=zz" },
      { "X-Inngest-Signature": `t=${Math.floor(now / 1000)}&s=` },
      { Cookie: "stepflare_session=1.2.3" },
      { Cookie: `stepflare_session=${"a".repeat(5_000)}` },
    ],
  };
}

/**
 * Sends one generated request. Dev mode goes through the Worker's entrypoint, so bodies arrive
 * with their length declared; production mode, and streamed bodies in either mode, are handed to
 * the app in this isolate with the mode's bindings (a stream the Worker refuses unread would
 * otherwise abort the pipe of the loopback binding, which workerd logs as an error).
 */
async function send(spec: RequestSpec, mode: Mode): Promise<Response> {
  const init: RequestInit = { method: spec.method, headers: spec.headers, redirect: "manual" };
  if (spec.body !== undefined) init.body = spec.cuts ? streamed(buildText(spec.body), spec.cuts) : buildText(spec.body);
  if (mode === "dev" && !spec.cuts) return worker.fetch(`${ORIGIN}${spec.path}`, init);
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`${ORIGIN}${spec.path}`, init), mode === "dev" ? env : PROD, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** `body` as a stream cut at `cuts` (fractions of its byte length), possibly inside a character. */
function streamed(body: string | Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const at = [...new Set(cuts.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
  const pieces = [0, ...at, bytes.length].slice(1).map((end, i, ends) => bytes.slice(i === 0 ? 0 : ends[i - 1], end));
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) if (piece.length > 0) controller.enqueue(piece);
      controller.close();
    },
  });
}

/** The POST /login form re-renders the login page on a wrong key for a browser (one that asks for HTML). */
function isLoginPage(spec: RequestSpec, status: number, mode: Mode): boolean {
  const asksForHtml = Object.entries(spec.headers).some(([name, value]) => name.toLowerCase() === "accept" && value.includes("text/html"));
  return mode === "production" && asksForHtml && spec.method === "POST" && new URL(spec.path, ORIGIN).pathname === "/login" && status === 401;
}

/** What is wrong with the answer to `spec`, or null. */
async function problemWith(spec: RequestSpec, res: Response, mode: Mode): Promise<string | null> {
  const text = await res.text();
  if (APP_SECRET.test(text)) return `${res.status} repeats what an app answered: ${text.slice(0, 300)}`;
  if (res.status >= 500) return `answered ${res.status}: ${text.slice(0, 300)}`;
  if (mode === "production" && !spec.authorized && res.status >= 200 && res.status < 300) {
    return `accepted (${res.status}) without valid credentials`;
  }
  // A HEAD answer has no body to check.
  if (res.status < 400 || isLoginPage(spec, res.status, mode) || spec.method === "HEAD") return null;
  if (!(res.headers.get("content-type") ?? "").includes("application/json")) {
    return `${res.status} is not JSON (${res.headers.get("content-type")}): ${text.slice(0, 200)}`;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `${res.status} body does not parse: ${text.slice(0, 200)}`;
  }
  const { status } = body as { status?: unknown };
  let { error } = body as { error?: unknown };
  // `/mcp` speaks JSON-RPC, whose protocol makes `error` an object `{ code, message }`.
  if (new URL(spec.path, ORIGIN).pathname === "/mcp" && typeof error === "object" && error !== null) error = (error as { message?: unknown }).message;
  if (typeof error !== "string" || error.length === 0) return `${res.status} without an error message: ${text.slice(0, 200)}`;
  // The SDK reads the status in the body, not the HTTP one: the two must agree.
  if (status !== undefined && status !== res.status) return `${res.status} says status ${String(status)} in its body`;
  if (INTERNAL_TEXT.test(error)) return `${res.status} reveals internal text: ${error.slice(0, 300)}`;
  return null;
}

/** What the accepted requests of a run may have added, for the stored-rows check. */
interface Accepted {
  routes: Set<string>;
  /** Answers by status, for the run's summary. */
  statuses: Record<number, number>;
  /** The slowest request and how long it took, for the run's summary. */
  slowest: { ms: number; spec?: RequestSpec };
  /** Events accepted by the event routes. */
  events: number;
  syncs: number;
}

async function expectHealthy(mode: Mode, after: number): Promise<void> {
  const res = await send({ route: "GET /health", method: "GET", path: "/health", headers: {}, authorized: true }, mode);
  expect(res.status, `/health after ${after} fuzzed requests`).toBe(200);
  expect(await res.json()).toMatchObject({ status: "ok" });
}

/**
 * How long the counts must stay the same to be called settled: longer than an event's way into D1
 * history (the event shard's write delay and pacing, then the history queue's one-second batch).
 */
const QUIET_MS = 3_000;

/** Counts once the work accepted requests started has settled (no change for QUIET_MS). */
async function settledCounts(): Promise<StoredCounts> {
  let last = await storedCounts();
  let quietSince = Date.now();
  const until = Date.now() + SETTLE_MS;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 500));
    const next = await storedCounts();
    if (JSON.stringify(next) !== JSON.stringify(last)) quietSince = Date.now();
    else if (Date.now() - quietSince >= QUIET_MS) return next;
    last = next;
  }
  return last;
}

/** Sends a well-formed request with valid credentials; fails the test unless it is accepted. */
async function sendValid(mode: Mode, path: string, body: unknown, headers: Record<string, string>): Promise<unknown> {
  const spec: RequestSpec = {
    route: "",
    method: "POST",
    path,
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
    authorized: true,
  };
  const res = await send(spec, mode);
  const text = await res.text();
  expect(res.status, `${path}: ${text}`).toBe(200);
  return JSON.parse(text);
}

/**
 * Syncs the fuzz app (one function completes, one waits for an event, one sleeps, the others are
 * served by hostile apps) and starts a run of each, so that id routes, cancellation, rerun and checkpoints meet real runs. Returns the
 * ids of those runs and of the event.
 */
async function seedState(mode: Mode): Promise<string[]> {
  const fn = (n: number, extra: object = {}, url = FUZZ_APP_URL) => ({
    id: `fuzz-app-fn-${n}`,
    name: `fuzz ${n}`,
    triggers: [{ event: "fuzz/evt" }],
    steps: { step: { id: "step", name: "step", runtime: { type: "http", url: `${url}?fnId=fuzz-app-fn-${n}&step=step` } } },
    ...extra,
  });
  const cancellable = { cancel: [{ event: "fuzz/cancel", if: "async.data.x == event.data.x" }] };
  // The others are served by hostile apps (see hostileAnswer); their runs must end or retry, never wedge.
  const hostile = HOSTILE_CALL_ANSWERS.map((kind, i) => fn(3 + i, {}, `${HOSTILE_APP_ORIGIN}/${kind}`));
  const functions = [fn(0), fn(1, cancellable), fn(2), ...hostile];
  const register = { url: FUZZ_APP_URL, deployType: "ping", framework: "fuzz", appName: "fuzz-app", sdk: "js:v4.24.0", v: "0.1", functions };
  const sdkAuth: Record<string, string> = mode === "production" ? { Authorization: `Bearer ${await hashSigningKey(KEY)}` } : {};
  await sendValid(mode, "/fn/register", register, sdkAuth);
  const { ids } = (await sendValid(mode, `/e/${EVENT_KEY}`, { name: "fuzz/evt", data: { x: 1 } }, {})) as { ids: string[] };
  const eventId = ids[0]!;
  const until = Date.now() + SETTLE_MS;
  let runs: { id: string }[] = [];
  while (runs.length < functions.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
    runs = (await env.DB.prepare("SELECT id FROM runs WHERE event_id = ?").bind(eventId).all<{ id: string }>()).results;
  }
  // The event's own history row is written behind its runs' rows; wait for it too, so that it is
  // counted before fuzzing starts and not taken for an event a refused request stored.
  const storedEvent = () => env.DB.prepare("SELECT status, error FROM events WHERE internal_id = ?").bind(eventId).first();
  let stored = await storedEvent();
  while (stored === null && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
    stored = await storedEvent();
  }
  expect(stored, "the seeded event reaches D1 history").not.toBeNull();
  expect(runs, `the seeded event (${JSON.stringify(stored)}) starts a run of each fuzz function`).toHaveLength(functions.length);
  return [eventId, ...runs.map((r) => r.id)];
}

/** Runs the fuzzer in `mode`; returns what was accepted and the seed. */
async function fuzz(mode: Mode): Promise<{ accepted: Accepted; before: StoredCounts; seed: number; sent: number }> {
  const ctx = await fuzzContext(mode, await seedState(mode));
  const seed = seedFor(mode);
  const accepted: Accepted = { routes: new Set(), statuses: {}, slowest: { ms: 0 }, events: 0, syncs: 0 };
  const before = await settledCounts();
  let sent = 0;
  const property = fc.asyncProperty(anyRequest(ctx), async (spec) => {
    sent++;
    const started = Date.now();
    const res = await send(spec, mode);
    const status = res.status;
    const ms = Date.now() - started;
    if (ms > accepted.slowest.ms) accepted.slowest = { ms, spec };
    accepted.statuses[status] = (accepted.statuses[status] ?? 0) + 1;
    if (status >= 200 && status < 300) {
      accepted.routes.add(spec.route);
      const body = (await res
        .clone()
        .json()
        .catch(() => null)) as { ids?: unknown; data?: { ids?: unknown }; result?: { structuredContent?: { eventId?: unknown } } } | null;
      const ids = body?.ids ?? body?.data?.ids;
      if (Array.isArray(ids)) accepted.events += ids.length;
      // The MCP tool that sends an event names the one id it stored.
      if (typeof body?.result?.structuredContent?.eventId === "string") accepted.events += 1;
      if (spec.route === "POST /fn/register" || spec.route === "POST /v0/apps/sync") accepted.syncs += 1;
    }
    const problem = await problemWith(spec, res, mode);
    if (problem !== null) throw new Error(`${mode} mode, ${spec.route}: ${problem}`);
    if (sent % HEALTH_EVERY === 0) await expectHealthy(mode, sent);
  });
  // Without shrinking: the first failure is reported as generated, with its seed and path.
  await fc.assert(property, { seed, numRuns: RUNS_PER_MODE, endOnFailure: true });
  return { accepted, before, seed, sent };
}

/** Fails if a table grew that no accepted request could have grown, or grew more than they allow. */
function expectNothingRefusedStored(before: StoredCounts, after: StoredCounts, accepted: Accepted, seed: number): void {
  const grown = growth(before, after);
  const allowed = new Set([...accepted.routes].flatMap((route) => ROUTES.get(route)?.mayStore ?? []));
  const unexplained = Object.keys(grown).filter((table) => !allowed.has(table));
  expect(unexplained, `seed ${seed}: tables grown by refused requests (grown: ${JSON.stringify(grown)})`).toEqual([]);
  expect(grown["d1:events(sent)"] ?? 0, `seed ${seed}: events stored`).toBeLessThanOrEqual(accepted.events);
  expect(grown["d1:apps"] ?? 0, `seed ${seed}: apps stored`).toBeLessThanOrEqual(accepted.syncs);
}

/**
 * What the Worker logs when something went wrong that no answer shows: a run whose alarm keeps
 * failing (it retries forever) or a request that failed inside. The log is watched during the run.
 */
const WEDGED = /failed to make progress|request failed \(reference/;
let errorLog: { mock: { calls: unknown[][] }; mockClear(): void };

beforeAll(() => {
  stubNetwork();
  errorLog = vi.spyOn(console, "error");
});
afterAll(async () => {
  vi.restoreAllMocks();
  await runInDurableObject(env.SCHEDULER.getByName(SCHEDULER_NAME), (_instance, state) => state.storage.deleteAlarm());
});

describe("the request fuzzer", () => {
  it("covers every route the Worker serves", () => {
    // Middleware (`app.use`) is listed as ALL /*; any other entry is a route, `app.all` ones included.
    const served = new Set(app.routes.filter((r) => !(r.method === "ALL" && r.path === "/*")).map((r) => `${r.method} ${r.path}`));
    expect([...served].sort()).toEqual([...ROUTES.keys()].sort());
  });

  for (const mode of ["dev", "production"] as const) {
    it(`answers ${RUNS_PER_MODE} hostile requests in ${mode} mode with no 5xx, JSON 4xx and nothing refused stored`, async () => {
      errorLog.mockClear();
      const { accepted, before, seed, sent } = await fuzz(mode);
      expect(sent).toBe(RUNS_PER_MODE);
      await expectHealthy(mode, sent);
      expectNothingRefusedStored(before, await settledCounts(), accepted, seed);
      const wedged = errorLog.mock.calls.map((args) => args.map(String).join(" ")).filter((line) => WEDGED.test(line));
      expect(wedged, `seed ${seed}: runs or requests failing inside`).toEqual([]);
      const { slowest } = accepted;
      console.log(
        `fuzz ${mode}: ${sent} requests, seed ${seed}; answers by status ${JSON.stringify(accepted.statuses)}; ` +
          `${accepted.routes.size} routes accepted some; slowest ${slowest.ms} ms: ${slowest.spec?.method} ${slowest.spec?.path.slice(0, 80)}`,
      );
    }, 600_000);
  }
});

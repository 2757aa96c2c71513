/**
 * The network as the request fuzzer (tests/workers/fuzz.test.ts) sees it: every outbound request
 * of the Worker is answered here, by a well-behaved SDK app or by hostile ones, so nothing leaves
 * the test whatever URL a fuzzed sync names.
 * @module
 */
import { vi } from "vitest";
import { MAX_SYNC_BODY_BYTES } from "../../../src/constants";
import { HOSTILE_APP_ORIGIN } from "./fuzz-bodies";

/** What hostile apps put in their answers (see hostileAnswer); no answer of the server may repeat it. */
export const APP_SECRET = /secret=42|\/srv\/app\.js/;

/** The answer of an app at HOSTILE_APP_ORIGIN: what its path names, to a sync or a call alike. */
function hostileAnswer(kind: string, headers: Record<string, string>): Response {
  const sdk = { ...headers, "Content-Type": "application/json", "X-Inngest-Sync-Kind": "in_band" };
  switch (kind) {
    case "deep":
      return new Response(`${"[".repeat(10_000)}${"]".repeat(10_000)}`, { headers: sdk });
    case "utf8":
      return new Response(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), { headers: sdk });
    case "surrogate":
      // A step whose output is a lone surrogate, as JSON.stringify writes it.
      return new Response('[{"id":"s","op":"StepRun","data":"\\ud800"}]', { status: 206, headers: sdk });
    case "huge":
      return new Response(`"${"x".repeat(MAX_SYNC_BODY_BYTES + 1)}"`, { headers: sdk });
    case "html":
      return new Response("<html>internal admin page: secret=42</html>", { headers: { "Content-Type": "text/html" } });
    case "error":
      return new Response("stack trace at /srv/app.js:1:1 secret=42", { status: 500 });
    case "unauthorized":
      return Response.json({ message: "Unauthorized" }, { status: 401, headers });
    case "register-failed":
      return Response.json({ message: "the server said no", modified: false }, { status: 500, headers });
    case "bad-config":
      return Response.json({ app_id: "", url: 5, functions: [{ id: 1 }] }, { headers: sdk });
    case "redirect":
      return new Response(null, { status: 302, headers: { Location: "http://127.0.0.1:8288/v0/apps" } });
    default:
      throw new TypeError("connection refused");
  }
}

/** The hostile answers seeded runs get to their calls (the huge one is left to the transport's own tests). */
export const HOSTILE_CALL_ANSWERS = ["deep", "utf8", "surrogate", "html", "error", "unauthorized", "redirect", "unreachable"];

/** Ops the fuzz app answers for its functions: one waits for an event, one sleeps, others complete. */
const APP_OPS: Record<string, unknown[]> = {
  "fuzz-app-fn-1": [{ id: "wait", op: "WaitForEvent", name: "fuzz/resume", opts: { event: "fuzz/resume", timeout: "1h", if: "async.data.x == event.data.x" } }],
  "fuzz-app-fn-2": [{ id: "nap", op: "Sleep", name: "1h", opts: { duration: "1h" } }],
};

/**
 * Answers every outbound request in place of the network, as an SDK would: a sync `PUT` gets an
 * in-band config of one function, a call gets the ops of {@link APP_OPS} or a completed run; an
 * app at HOSTILE_APP_ORIGIN answers with {@link hostileAnswer}. No request leaves the test,
 * whatever URL was synced.
 */
export function stubNetwork() {
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const headers = { "X-Inngest-SDK": "js:v4.24.0", "X-Inngest-Req-Version": "2" };
    if (url.origin === HOSTILE_APP_ORIGIN) return hostileAnswer(url.pathname.slice(1), headers);
    if (request.method !== "PUT") {
      const ops = APP_OPS[url.searchParams.get("fnId") ?? ""];
      return ops ? Response.json(ops, { status: 206, headers }) : Response.json({ fuzz: "done" }, { headers });
    }
    const fn = {
      id: "fuzz-synced-fn",
      name: "synced",
      triggers: [{ event: "fuzz/synced" }],
      steps: { step: { id: "step", name: "step", runtime: { type: "http", url: request.url } } },
    };
    const config = { app_id: "fuzz-synced", url: request.url, sdk: "js:v4.24.0", framework: "fuzz", functions: [fn] };
    return Response.json(config, { headers: { ...headers, "X-Inngest-Sync-Kind": "in_band" } });
  });
}

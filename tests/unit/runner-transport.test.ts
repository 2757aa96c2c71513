import { describe, expect, it } from "vitest";
import { MAX_SDK_RESPONSE_BYTES } from "../../src/constants";
import { appTransport, httpTransport } from "../../src/runner/transport";
import { endlessBody } from "./helpers/endless-body";

const request = { url: "http://app.test/api/inngest?fnId=f&stepId=step", body: "{}", runId: "r1", stepId: "step", version: -1 };
const OPEN = { allowPrivate: true };
const STRICT = { allowPrivate: false };
const sdkAnswer = () => new Response('{"ok":true}', { status: 200, headers: { "X-Inngest-SDK": "inngest-js:v4.24.0" } });

describe("httpTransport", () => {
  it("tries once more at once when the connection fails before any answer", async () => {
    let calls = 0;
    const transport = httpTransport(undefined, OPEN, async () => {
      calls++;
      if (calls === 1) throw new TypeError("Network connection lost.");
      return sdkAnswer();
    });
    expect(await transport(request)).toEqual({ kind: "complete", output: { ok: true }, version: undefined });
    expect(calls).toBe(2);
  });

  it("reports an app it cannot reach after the second try, naming the URL", async () => {
    let calls = 0;
    const transport = httpTransport(undefined, OPEN, async () => {
      calls++;
      throw new TypeError("connection refused");
    });
    const outcome = await transport(request);
    expect(outcome).toMatchObject({ kind: "unreachable", error: { name: "AppUnreachable" } });
    expect(JSON.stringify(outcome)).toContain(request.url);
    expect(calls).toBe(2);
  });

  it("does not send again once the caller stopped the request for running too long", async () => {
    let calls = 0;
    const controller = new AbortController();
    const transport = httpTransport(undefined, OPEN, (_url, init) => {
      calls++;
      return new Promise((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
    });
    const outcome = transport(request, controller.signal);
    controller.abort(new DOMException("too long", "TimeoutError"));
    expect(await outcome).toMatchObject({ kind: "unreachable" });
    expect(calls).toBe(1);
  });

  it("signs the body in production mode", async () => {
    let signature: string | null = null;
    const transport = httpTransport("signkey-test-abcd", OPEN, async (_url, init) => {
      signature = new Headers(init?.headers).get("X-Inngest-Signature");
      return sdkAnswer();
    });
    await transport(request);
    expect(signature).toMatch(/^t=\d+&s=[0-9a-f]{64}$/);
  });
});

describe("httpTransport: bounded answers", () => {
  it("stops reading an answer past MAX_SDK_RESPONSE_BYTES and fails the attempt for good", async () => {
    const body = endlessBody(1024 * 1024, 1024);
    const transport = httpTransport(
      undefined,
      OPEN,
      async () => new Response(body.stream, { status: 200, headers: { "X-Inngest-SDK": "inngest-js:v4.24.0" } }),
    );
    const outcome = await transport(request);
    expect(outcome).toMatchObject({ kind: "error", retriable: false, error: { name: "StepOutputTooLarge", code: "step_output_too_large" } });
    expect(JSON.stringify(outcome)).toContain(`over ${MAX_SDK_RESPONSE_BYTES} bytes`);
    // Reading stopped at the first chunk past the cap (the stream may have queued one more) and
    // the rest of the gigabyte was never produced.
    expect(body.produced()).toBeLessThanOrEqual(MAX_SDK_RESPONSE_BYTES + 2 * 1024 * 1024);
    expect(body.cancelled()).toBe(true);
  });

  it("fails the attempt for good on an answer that is not valid UTF-8, instead of storing replacement characters", async () => {
    const bytes = new Uint8Array([0x22, 0x61, 0xff, 0xfe, 0x62, 0x22]);
    const transport = httpTransport(undefined, OPEN, async () => new Response(bytes, { status: 200, headers: { "X-Inngest-SDK": "inngest-js:v4.24.0" } }));
    const outcome = await transport(request);
    expect(outcome).toMatchObject({ kind: "error", retriable: false, error: { name: "TextNotUnicode", code: "text_not_unicode" } });
    expect(JSON.stringify(outcome)).toContain("not valid UTF-8");
  });

  it("reads an answer of exactly the cap", async () => {
    const output = "x".repeat(MAX_SDK_RESPONSE_BYTES - 2);
    const transport = httpTransport(
      undefined,
      OPEN,
      async () => new Response(JSON.stringify(output), { status: 200, headers: { "X-Inngest-SDK": "inngest-js:v4.24.0" } }),
    );
    const outcome = await transport(request);
    expect(outcome).toMatchObject({ kind: "complete" });
    expect((outcome as { output: string }).output).toHaveLength(output.length);
  });
});

describe("httpTransport: outbound policy at call time", () => {
  it("refuses a private app URL in production mode without sending, and does not retry", async () => {
    let calls = 0;
    const transport = httpTransport(undefined, STRICT, async () => {
      calls++;
      return sdkAnswer();
    });
    const outcome = await transport({ ...request, url: "http://2130706433/api/inngest?fnId=f&stepId=step" });
    expect(calls).toBe(0);
    expect(outcome).toMatchObject({ kind: "error", retriable: false, error: { name: "PrivateUrlRefused", code: "private_url_refused" } });
    expect(JSON.stringify(outcome)).toContain("loopback");
  });

  it("refuses a public app URL that redirects to a private one", async () => {
    const seen: string[] = [];
    const transport = httpTransport(undefined, STRICT, async (url) => {
      seen.push(url);
      return new Response(null, { status: 307, headers: { Location: "http://169.254.169.254/latest" } });
    });
    const outcome = await transport({ ...request, url: "https://app.example/api/inngest" });
    expect(seen).toEqual(["https://app.example/api/inngest"]);
    expect(outcome).toMatchObject({ kind: "error", retriable: false, error: { name: "PrivateUrlRefused" } });
  });

  it("calls a public app URL in production mode", async () => {
    const transport = httpTransport(undefined, STRICT, async () => sdkAnswer());
    expect(await transport({ ...request, url: "https://app.example/api/inngest" })).toMatchObject({ kind: "complete" });
  });

  it("applies the deployment's policy in appTransport", async () => {
    const privateApp = { ...request, url: "http://10.0.0.5/api/inngest" };
    expect(await appTransport({ INNGEST_SIGNING_KEY: "signkey-prod-00" })(privateApp)).toMatchObject({
      kind: "error",
      error: { name: "PrivateUrlRefused" },
    });
    // Dev mode, or the setting, allows it: the request is made (and fails to connect here).
    const allowed = await appTransport({ INNGEST_SIGNING_KEY: "signkey-prod-00", STEPFLARE_ALLOW_PRIVATE_URLS: "true" })({
      ...privateApp,
      url: "http://127.0.0.1:9/api/inngest",
    });
    expect(allowed).toMatchObject({ kind: "unreachable", error: { name: "AppUnreachable" } });
  });
});

describe("appTransport (service)", () => {
  /** A stand-in for a Service Binding: records what it was sent. */
  function fakeBinding(answer: () => Promise<Response>) {
    const seen: { url: string; signature: string | null; host: string | null }[] = [];
    return {
      seen,
      fetch: async (url: string, init?: RequestInit) => {
        const headers = new Headers(init?.headers);
        seen.push({ url, signature: headers.get("X-Inngest-Signature"), host: headers.get("Host") });
        return answer();
      },
    };
  }

  it("carries a mapped app's call over its binding, to the same URL and Host, signed", async () => {
    const app = fakeBinding(async () => sdkAnswer());
    const env = { INNGEST_SIGNING_KEY: "signkey-test-abcd", STEPFLARE_APP_BINDINGS: "http://app.test=APP", APP: app };
    expect(await appTransport(env)(request)).toEqual({ kind: "complete", output: { ok: true }, version: undefined });
    expect(app.seen).toEqual([{ url: request.url, signature: expect.stringMatching(/^t=\d+&s=[0-9a-f]{64}$/), host: "app.test" }]);
  });

  it("does not send a call twice when the binding fails: the app Worker may have run it", async () => {
    const app = fakeBinding(async () => {
      throw new Error("the app Worker threw");
    });
    const env = { STEPFLARE_APP_BINDINGS: "http://app.test=APP", APP: app };
    const outcome = await appTransport(env)(request);
    expect(outcome).toMatchObject({ kind: "unreachable", error: { name: "AppUnreachable" } });
    expect(JSON.stringify(outcome)).toContain("through Service Binding APP");
    expect(app.seen).toHaveLength(1);
  });

  it("fails the call with the fix when the mapped binding does not exist", async () => {
    const outcome = await appTransport({ STEPFLARE_APP_BINDINGS: "http://app.test=MISSING" })(request);
    expect(outcome).toMatchObject({ kind: "unreachable", error: { name: "AppUnreachable" } });
    expect(JSON.stringify(outcome)).toContain('binding = \\"MISSING\\"');
  });

  it("fails the call naming the variable when its value is invalid", async () => {
    const outcome = await appTransport({ STEPFLARE_APP_BINDINGS: "app.test=APP" })(request);
    expect(outcome).toMatchObject({ kind: "unreachable", error: { name: "AppUnreachable" } });
    expect(JSON.stringify(outcome)).toContain("STEPFLARE_APP_BINDINGS is invalid");
  });
});

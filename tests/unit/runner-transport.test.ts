import { describe, expect, it } from "vitest";
import { appTransport, httpTransport } from "../../src/runner/transport";

const request = { url: "http://app.test/api/inngest?fnId=f&stepId=step", body: "{}", runId: "r1", stepId: "step", version: -1 };
const sdkAnswer = () => new Response('{"ok":true}', { status: 200, headers: { "X-Inngest-SDK": "inngest-js:v4.24.0" } });

describe("httpTransport", () => {
  it("tries once more at once when the connection fails before any answer", async () => {
    let calls = 0;
    const transport = httpTransport(undefined, async () => {
      calls++;
      if (calls === 1) throw new TypeError("Network connection lost.");
      return sdkAnswer();
    });
    expect(await transport(request)).toEqual({ kind: "complete", output: { ok: true }, version: undefined });
    expect(calls).toBe(2);
  });

  it("reports an app it cannot reach after the second try, naming the URL", async () => {
    let calls = 0;
    const transport = httpTransport(undefined, async () => {
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
    const transport = httpTransport(undefined, (_url, init) => {
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
    const transport = httpTransport("signkey-test-abcd", async (_url, init) => {
      signature = new Headers(init?.headers).get("X-Inngest-Signature");
      return sdkAnswer();
    });
    await transport(request);
    expect(signature).toMatch(/^t=\d+&s=[0-9a-f]{64}$/);
  });
});

describe("appTransport (service)", () => {
  /** A stand-in for a Service Binding: records what it was sent. */
  function fakeBinding(answer: () => Promise<Response>) {
    const seen: { url: string; signature: string | null }[] = [];
    return {
      seen,
      fetch: async (url: string, init?: RequestInit) => {
        seen.push({ url, signature: new Headers(init?.headers).get("X-Inngest-Signature") });
        return answer();
      },
    };
  }

  it("carries a mapped app's call over its binding, to the same URL and signed", async () => {
    const app = fakeBinding(async () => sdkAnswer());
    const env = { INNGEST_SIGNING_KEY: "signkey-test-abcd", STEPFLARE_APP_BINDINGS: "http://app.test=APP", APP: app };
    expect(await appTransport(env)(request)).toEqual({ kind: "complete", output: { ok: true }, version: undefined });
    expect(app.seen).toEqual([{ url: request.url, signature: expect.stringMatching(/^t=\d+&s=[0-9a-f]{64}$/) }]);
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

import { describe, expect, it } from "vitest";
import { MAX_SDK_RESPONSE_BYTES } from "../../src/constants";
import { localAppName } from "../../src/sync/local-url";
import { registerInProcessApp } from "../../src/sync/local-apps";
import { appTransport } from "../../src/runner/transport";
import { refusedSyncUrl } from "../../src/sync/outbound-urls";
import { appUrlSchema } from "../../src/sync/register-request";
import { endlessBody } from "./helpers/endless-body";

const sdkAnswer = () => new Response('{"ok":true}', { status: 200, headers: { "X-Inngest-SDK": "inngest-js:v4.24.0" } });
const callTo = (app: string) => ({ url: `local://${app}/api/inngest?fnId=f&stepId=step`, body: "{}", runId: "r1", stepId: "step", version: -1 });

describe("appTransport (local)", () => {
  it("hands the call to the registered handler with the Worker's env, signed in production mode", async () => {
    const seen: { url: string; host: string | null; signature: string | null; body: string; env: object }[] = [];
    registerInProcessApp("signed-app", async (req, env) => {
      seen.push({ url: req.url, host: req.headers.get("Host"), signature: req.headers.get("X-Inngest-Signature"), body: await req.text(), env });
      return sdkAnswer();
    });
    const env = { INNGEST_SIGNING_KEY: "signkey-test-abcd" };
    expect(await appTransport(env)(callTo("signed-app"))).toEqual({ kind: "complete", output: { ok: true }, version: undefined });
    expect(seen).toEqual([
      {
        url: "http://signed-app.invalid/api/inngest?fnId=f&stepId=step",
        host: "signed-app.invalid",
        signature: expect.stringMatching(/^t=\d+&s=[0-9a-f]{64}$/),
        body: "{}",
        env,
      },
    ]);
  });

  it("fails the call with how to register the app when none has that name", async () => {
    const outcome = await appTransport({})(callTo("never-registered"));
    expect(outcome).toMatchObject({ kind: "unreachable", error: { name: "AppUnreachable" } });
    expect(JSON.stringify(outcome)).toContain('stepflare({ apps: { \\"never-registered\\"');
  });

  it("does not call a handler twice when it throws: it may have run the step", async () => {
    let calls = 0;
    registerInProcessApp("throwing-app", async () => {
      calls++;
      throw new Error("boom");
    });
    const outcome = await appTransport({})(callTo("throwing-app"));
    expect(outcome).toMatchObject({ kind: "unreachable", error: { name: "AppUnreachable" } });
    expect(JSON.stringify(outcome)).toContain("in-process app");
    expect(calls).toBe(1);
  });

  it("holds the answer to MAX_SDK_RESPONSE_BYTES, as over HTTP", async () => {
    const body = endlessBody(1024 * 1024, 1024);
    registerInProcessApp("chatty-app", async () => new Response(body.stream, { status: 200, headers: { "X-Inngest-SDK": "inngest-js:v4.24.0" } }));
    const outcome = await appTransport({})(callTo("chatty-app"));
    expect(outcome).toMatchObject({ kind: "error", retriable: false, error: { name: "StepOutputTooLarge" } });
    expect(body.produced()).toBeLessThanOrEqual(MAX_SDK_RESPONSE_BYTES + 2 * 1024 * 1024);
    expect(body.cancelled()).toBe(true);
  });

  it("stops waiting for a handler that never answers once the call ran as long as it may", async () => {
    registerInProcessApp("stuck-app", () => new Promise<Response>(() => {}));
    const controller = new AbortController();
    const outcome = appTransport({})(callTo("stuck-app"), controller.signal);
    controller.abort(new DOMException("too long", "TimeoutError"));
    expect(await outcome).toMatchObject({ kind: "unreachable", error: { name: "AppUnreachable" } });
  });
});

describe("local:// app URLs", () => {
  it("name an app only with a well-formed name and no port or credentials", () => {
    expect(localAppName("local://my-app/api/inngest")).toBe("my-app");
    expect(localAppName("local://My_App/api/inngest")).toBeNull();
    expect(localAppName("local://my-app:80/api/inngest")).toBeNull();
    expect(localAppName("local://user@my-app/api/inngest")).toBeNull();
    expect(localAppName("http://my-app/api/inngest")).toBeNull();
  });

  it("are accepted for sync, even in production mode: nothing is fetched", () => {
    expect(appUrlSchema.safeParse("local://my-app/api/inngest")).toMatchObject({ success: true, data: "local://my-app/api/inngest" });
    expect(appUrlSchema.safeParse("ftp://my-app/api/inngest").success).toBe(false);
    expect(refusedSyncUrl("local://my-app/api/inngest", [], { allowPrivate: false })).toBeNull();
    expect(refusedSyncUrl("http://127.0.0.1/api/inngest", [], { allowPrivate: false })).not.toBeNull();
  });
});

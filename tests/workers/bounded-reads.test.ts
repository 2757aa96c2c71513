/**
 * Bodies read from outside with a cap (issue 8): the login form, which anyone can post in
 * production mode, is refused with 413 past MAX_LOGIN_BODY_BYTES instead of being read whole.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/api/app";
import { MAX_LOGIN_BODY_BYTES } from "../../src/constants";
import type { Env } from "../../src/env";

const KEY = "signkey-prod-0123456789abcdef0123456789abcdef";
const PROD: Env = { ...env, INNGEST_SIGNING_KEY: KEY, INNGEST_EVENT_KEY: "ek" };
const ORIGIN = "https://stepflare.example";

async function login(body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const req = new Request(`${ORIGIN}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body,
  });
  const res = await app.fetch(req, PROD, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** A form body sent as a stream, so it carries no Content-Length and must be counted as read. */
function streamed(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + 4096));
      offset += 4096;
    },
  });
}

describe("POST /login body", () => {
  const huge = new URLSearchParams({ key: KEY, next: `/${"a".repeat(MAX_LOGIN_BODY_BYTES)}` }).toString();

  it("is refused with 413 when it declares more than MAX_LOGIN_BODY_BYTES", async () => {
    const res = await login(huge);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ status: 413, error: `login form is over ${MAX_LOGIN_BODY_BYTES} bytes` });
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("is refused with 413 once a body without a length passes the cap", async () => {
    const res = await login(streamed(huge));
    expect(res.status).toBe(413);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("logs in with a form under the cap, streamed or not", async () => {
    const form = new URLSearchParams({ key: KEY, next: "/runs" }).toString();
    for (const body of [form, streamed(form)]) {
      const res = await login(body);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/runs");
      expect(res.headers.get("set-cookie")).toContain("stepflare_session=");
    }
  });

  it("logs in with a multipart form too", async () => {
    const form = new FormData();
    form.set("key", KEY);
    form.set("next", "/apps");
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`${ORIGIN}/login`, { method: "POST", redirect: "manual", body: form }), PROD, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/apps");
  });
});

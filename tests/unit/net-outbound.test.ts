import { describe, expect, it, vi } from "vitest";
import { fetchWithinPolicy, OutboundRefusedError, outboundPolicy, refusedUrl } from "../../src/net/outbound";
import { MAX_FETCH_RESPONSE_BYTES } from "../../src/constants";
import { performGateway } from "../../src/runner/gateway";
import { endlessBody } from "./helpers/endless-body";

const STRICT = { allowPrivate: false };
const OPEN = { allowPrivate: true };

/** Every spelling the URL parser turns into a non-public host, with the kind expected. */
const REFUSED: Array<[string, RegExp]> = [
  ["http://127.0.0.1:8288/api/inngest", /loopback/],
  ["http://127.9.9.9/", /loopback/],
  ["http://localhost:3000/", /loopback/],
  ["http://LOCALHOST./", /loopback/],
  ["http://app.localhost/", /loopback/],
  ["http://2130706433/", /loopback/],
  ["http://0x7f000001/", /loopback/],
  ["http://0x7f.1/", /loopback/],
  ["http://0177.0.0.1/", /loopback/],
  ["http://017700000001/", /loopback/],
  ["http://127.1/", /loopback/],
  ["http://127.0.0.1./", /loopback/],
  ["http://%31%32%37.0.0.1/", /loopback/],
  ["http://user:pw@127.0.0.1/", /loopback/],
  ["http://[::1]/", /loopback/],
  ["http://[0:0:0:0:0:0:0:1]/", /loopback/],
  ["http://[::ffff:127.0.0.1]/", /loopback/],
  ["http://[::127.0.0.1]/", /loopback/],
  ["http://[64:ff9b::127.0.0.1]/", /loopback/],
  ["http://[2002:7f00:1::]/", /loopback/],
  ["http://0.0.0.0/", /unspecified/],
  ["http://0/", /unspecified/],
  ["http://[::]/", /unspecified/],
  ["http://10.1.2.3/", /private network/],
  ["http://172.16.0.1/", /private network/],
  ["http://172.31.255.255/", /private network/],
  ["http://192.168.1.1/", /private network/],
  ["http://100.64.0.1/", /private network/],
  ["http://100.100.100.200/", /private network/],
  ["http://[fc00::1]/", /private network/],
  ["http://[fd00:ec2::254]/", /private network/],
  ["http://[::ffff:10.0.0.1]/", /private network/],
  ["http://169.254.169.254/latest/meta-data/", /link-local/],
  ["http://2852039166/", /link-local/],
  ["http://[::ffff:169.254.169.254]/", /link-local/],
  ["http://[fe80::1]/", /link-local/],
  ["http://metadata.google.internal/computeMetadata/v1/", /private network/],
  ["http://metadata.goog/", /metadata/],
  ["http://metadata/", /private network/],
  ["http://printer.local/", /private network/],
  ["http://224.0.0.1/", /reserved/],
  ["http://255.255.255.255/", /reserved/],
  ["http://[ff02::1]/", /reserved/],
];

const ALLOWED = [
  "https://example.com/api/inngest",
  "http://93.184.215.14/",
  "http://8.8.8.8/",
  "http://172.32.0.1/",
  "http://100.128.0.1/",
  "http://[2606:4700:4700::1111]/",
  "http://[::ffff:8.8.8.8]/",
  "https://my-app.workers.dev/api/inngest",
  "https://localhost.example.com/",
];

describe("refusedUrl", () => {
  it.each(REFUSED)("refuses %s in production mode", (url, kind) => {
    const why = refusedUrl(url, STRICT);
    expect(why).toMatch(kind);
    expect(why).toContain("STEPFLARE_ALLOW_PRIVATE_URLS=true");
  });

  it.each(ALLOWED)("allows the public %s", (url) => {
    expect(refusedUrl(url, STRICT)).toBeNull();
  });

  it("allows every address when private URLs are allowed", () => {
    for (const [url] of REFUSED) expect(refusedUrl(url, OPEN)).toBeNull();
  });

  it("refuses what is not an absolute http(s) URL in every mode", () => {
    for (const policy of [STRICT, OPEN]) {
      expect(refusedUrl("file:///etc/passwd", policy)).toMatch(/not an http\(s\) URL/);
      expect(refusedUrl("ftp://example.com/", policy)).toMatch(/not an http\(s\) URL/);
      expect(refusedUrl("/relative", policy)).toMatch(/not an absolute URL/);
    }
  });
});

describe("outboundPolicy", () => {
  it("allows private addresses in dev mode, refuses them in production unless the setting says true", () => {
    expect(outboundPolicy({})).toEqual(OPEN);
    expect(outboundPolicy({ INNGEST_SIGNING_KEY: "signkey-prod-00" })).toEqual(STRICT);
    expect(outboundPolicy({ INNGEST_SIGNING_KEY: "signkey-prod-00", STEPFLARE_ALLOW_PRIVATE_URLS: "true" })).toEqual(OPEN);
    expect(outboundPolicy({ INNGEST_SIGNING_KEY: "signkey-prod-00", STEPFLARE_ALLOW_PRIVATE_URLS: "yes" })).toEqual(STRICT);
  });
});

describe("fetchWithinPolicy", () => {
  it("sends nothing to a refused URL", async () => {
    const fetcher = vi.fn<typeof fetch>();
    await expect(fetchWithinPolicy("http://127.0.0.1/", { method: "GET", headers: {} }, STRICT, fetcher)).rejects.toBeInstanceOf(OutboundRefusedError);
    expect(fetcher).not.toHaveBeenCalled();
  });

  it("follows redirects between public URLs, and refuses one that leads to a private address", async () => {
    const fetcher = vi.fn<typeof fetch>(async (input) => {
      const url = String(input);
      if (url === "https://a.example/start") return new Response(null, { status: 302, headers: { Location: "/next" } });
      if (url === "https://a.example/next") return new Response(null, { status: 307, headers: { Location: "https://b.example/end" } });
      if (url === "https://b.example/end") return new Response("done");
      if (url === "https://evil.example/") return new Response(null, { status: 301, headers: { Location: "http://169.254.169.254/" } });
      throw new Error(`unexpected ${url}`);
    });
    const init = { method: "POST", headers: { "Content-Type": "text/plain", Authorization: "Bearer x", "x-api-key": "k" }, body: "hi" };
    const res = await fetchWithinPolicy("https://a.example/start", init, STRICT, fetcher);
    expect(await res.text()).toBe("done");
    const calls = fetcher.mock.calls.map(([url, i]) => {
      const headers = new Headers(i?.headers);
      return { url: String(url), method: i?.method, body: i?.body, auth: headers.get("authorization"), key: headers.get("x-api-key") };
    });
    expect(calls).toEqual([
      { url: "https://a.example/start", method: "POST", body: "hi", auth: "Bearer x", key: "k" },
      // A 302 after a POST continues as a GET without the body, as fetch does.
      { url: "https://a.example/next", method: "GET", body: undefined, auth: "Bearer x", key: "k" },
      // Another origin does not get the credentials (an AI provider's x-api-key included).
      { url: "https://b.example/end", method: "GET", body: undefined, auth: null, key: null },
    ]);

    fetcher.mockClear();
    await expect(fetchWithinPolicy("https://evil.example/", { method: "GET", headers: {} }, STRICT, fetcher)).rejects.toThrow(
      /redirected to http:\/\/169\.254\.169\.254\/ is a link-local address/,
    );
    expect(fetcher).toHaveBeenCalledTimes(1);
  });

  it("stops after too many redirects", async () => {
    const fetcher = vi.fn<typeof fetch>(async () => new Response(null, { status: 302, headers: { Location: "https://loop.example/" } }));
    await expect(fetchWithinPolicy("https://loop.example/", { method: "GET", headers: {} }, STRICT, fetcher)).rejects.toThrow(/redirected more than/);
  });
});

describe("performGateway (step.fetch)", () => {
  it("fails the step without a request or a retry when the URL is refused", async () => {
    const fetcher = vi.fn<typeof fetch>();
    const outcome = await performGateway("s1", { url: "http://2130706433/admin", method: "GET", headers: {} }, STRICT, fetcher);
    expect(fetcher).not.toHaveBeenCalled();
    expect(outcome).toEqual({
      kind: "ops",
      noRetry: true,
      ops: [
        {
          id: "s1",
          op: "StepError",
          error: {
            name: "PrivateUrlRefused",
            code: "private_url_refused",
            message: expect.stringMatching(/^step\.fetch refused: http:\/\/127\.0\.0\.1\/admin is a loopback address/),
          },
        },
      ],
    });
  });

  it("makes the request when the policy allows it", async () => {
    const fetcher = vi.fn<typeof fetch>(async () => new Response("ok", { status: 201 }));
    const outcome = await performGateway("s1", { url: "http://127.0.0.1/x", method: "GET", headers: {} }, OPEN, fetcher);
    expect(outcome).toMatchObject({ kind: "ops", noRetry: false, ops: [{ op: "StepRun", data: { status_code: 201, body: "ok" } }] });
  });

  it("fails the step, not retried, when the response body passes MAX_FETCH_RESPONSE_BYTES, reading no further", async () => {
    const body = endlessBody(1024 * 1024, 1024);
    const fetcher = vi.fn<typeof fetch>(async () => new Response(body.stream, { status: 200 }));
    const outcome = await performGateway("s1", { url: "https://big.example/", method: "GET", headers: {} }, STRICT, fetcher);
    expect(outcome).toMatchObject({
      kind: "ops",
      noRetry: true,
      ops: [{ id: "s1", op: "StepError", error: { name: "StepOutputTooLarge", code: "step_output_too_large" } }],
    });
    expect(body.produced()).toBeLessThanOrEqual(MAX_FETCH_RESPONSE_BYTES + 2 * 1024 * 1024);
    expect(body.cancelled()).toBe(true);
  });
});

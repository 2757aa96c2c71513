/**
 * Where the dev server looks for apps (scripts/dev/discovery.mjs): each port on 127.0.0.1, as
 * Inngest's dev server does, then on ::1, where an app listening on `localhost` is found on
 * machines that resolve `localhost` to ::1 first (`wrangler dev` on macOS). Real SDK serve
 * handlers answer the probes. dev-apps.test.ts finds and syncs an app on ::1 end to end.
 */
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { afterEach, describe, expect, it } from "vitest";
import { createDiscovery, openOrigin } from "../../scripts/dev/discovery.mjs";

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** An SDK serve handler at /api/inngest on `host`, on `port` (default a free one); its port. */
async function sdkApp(host: string, port = 0): Promise<number> {
  const client = new Inngest({ id: "discovery-unit", isDev: true, baseUrl: "http://127.0.0.1:1" });
  const fn = client.createFunction({ id: "noop", triggers: { event: "test/noop" } }, async () => null);
  const handler = serve({ client, functions: [fn] }) as RequestListener;
  const server = createServer((req, res) => (req.url?.startsWith("/api/inngest") ? handler(req, res) : res.writeHead(404).end()));
  servers.push(server);
  await new Promise<void>((r) => server.listen(port, host, r));
  return (server.address() as AddressInfo).port;
}

describe("app discovery's probes", () => {
  it("try 127.0.0.1 first, as Inngest's dev server does: of apps on both 127.0.0.1 and ::1 at one port, that one is found", async () => {
    const port = await sdkApp("127.0.0.1");
    await sdkApp("::1", port);
    expect(await openOrigin(port)).toBe(`http://127.0.0.1:${port}`);
    expect(await createDiscovery([port]).round([])).toEqual([`http://127.0.0.1:${port}/api/inngest`]);
  });

  it("find an app listening on 127.0.0.1 there", async () => {
    const port = await sdkApp("127.0.0.1");
    expect(await openOrigin(port)).toBe(`http://127.0.0.1:${port}`);
    expect(await createDiscovery([port]).round([])).toEqual([`http://127.0.0.1:${port}/api/inngest`]);
  });

  it("find an app listening on ::1 only, where 127.0.0.1 is closed, at its IPv6 address", async () => {
    const port = await sdkApp("::1");
    expect(await openOrigin(port)).toBe(`http://[::1]:${port}`);
    expect(await createDiscovery([port]).round([])).toEqual([`http://[::1]:${port}/api/inngest`]);
    // Known under another loopback name (localhost), it is not found again.
    expect(await createDiscovery([port]).round([`http://localhost:${port}/api/inngest`])).toEqual([]);
  });

  it("find nothing on a port open on neither", async () => {
    const port = await sdkApp("127.0.0.1");
    await new Promise((r) => servers.pop()!.close(r));
    expect(await openOrigin(port)).toBeNull();
  });
});

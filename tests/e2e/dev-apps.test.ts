/**
 * Apps found and kept in sync by `npm run dev` itself, as Inngest's dev server does: an app given
 * with -u is synced at start, a function added to a running app is synced without anyone asking
 * (and is not with --no-poll), and a Worker app on wrangler dev's port 8787 (listening on ::1
 * only) is found on one of the usual paths by the default discovery. Also the command line: the start-up banner, --help's default discovery
 * ports and the unknown-flag message.
 *
 * One dev server for the file, checking apps every second (--poll-interval 1) on the default
 * discovery ports. A second one, started beside it, has --no-poll and looks only at its own app's
 * port (STEPFLARE_DISCOVERY_PORTS): its -u app is synced once and not again.
 */
import { spawn } from "node:child_process";
import { createServer, type RequestListener, type Server } from "node:http";
import { resolve } from "node:path";
import type { Inngest, InngestFunction } from "inngest";
import { serve } from "inngest/node";
import type { DevServerInfo } from "inngest/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devClient } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { freePort } from "./harness/ports";
import { sendEvents, waitForEndedRuns } from "./harness/server-api";
import { waitFor } from "./harness/wait";

const ROOT = resolve(import.meta.dirname, "../..");
/** `wrangler dev`'s default port, where a Worker app serving the SDK usually listens. */
const WRANGLER_DEV_PORT = 8787;

/** An app whose functions can be replaced while it runs, as a reloading app process does. */
interface LiveApp {
  url: string;
  serve(client: Inngest, functions: InngestFunction.Any[]): void;
  /** TCP connections made to the app's port so far: discovery connects once each round. */
  connections(): number;
  /** Requests with the method PUT (the dev process's checks and syncs) so far. */
  puts(): number;
  close(): Promise<void>;
}

/** An app at `path` on `host` (127.0.0.1 unless given), on `port` or a free one. */
async function liveApp(path: string, port?: number, host = "127.0.0.1"): Promise<LiveApp> {
  const listenOn = port ?? (await freePort());
  let handler: RequestListener = (req) => req.socket.destroy();
  let [connections, puts] = [0, 0];
  const server: Server = createServer((req, res) => {
    if (req.method === "PUT") puts += 1;
    if (new URL(req.url ?? "/", "http://x").pathname !== path) return res.writeHead(404).end();
    return handler(req, res);
  });
  server.on("connection", () => (connections += 1));
  await new Promise<void>((r) => server.listen(listenOn, host, r));
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${listenOn}${path}`,
    serve: (client, functions) => (handler = serve({ client, functions }) as RequestListener),
    connections: () => connections,
    puts: () => puts,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** The function ids the server holds for `appId`, from `GET /v0/apps`. */
async function syncedFunctions(serverUrl: string, appId: string): Promise<{ url: string; ids: string[] } | undefined> {
  const res = await fetch(`${serverUrl}/v0/apps`);
  const { apps } = (await res.json()) as { apps: { id: string; url: string; functions: { id: string }[] }[] };
  const app = apps.find((a) => a.id === appId);
  return app && { url: app.url, ids: app.functions.map((f) => f.id).sort() };
}

/** Runs `scripts/dev.mjs` with `args` until it exits; its exit code and output. */
async function runDevScript(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["scripts/dev.mjs", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let [stdout, stderr] = ["", ""];
  child.stdout.on("data", (d) => (stdout += String(d)));
  child.stderr.on("data", (d) => (stderr += String(d)));
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  return { code, stdout, stderr };
}

let server: DevServer;
let given: LiveApp;
let found: LiveApp;
let givenClient: Inngest;
let noPollServer: DevServer;
let noPollApp: LiveApp;
let noPollClient: Inngest;

/** The -u app's first function; the "added" test serves it again beside a new one. */
const doubleOf = (client: Inngest) =>
  client.createFunction({ id: "double", triggers: { event: "test/double" } }, async ({ event, step }) =>
    step.run("double", () => (event.data as { n: number }).n * 2),
  );

beforeAll(async () => {
  // The -u URL is a flag of the server, and the app's client needs the server's URL: the app
  // listens first (cutting connections, as an app still starting would) and serves once both exist.
  // wrangler dev's default port, one of the default discovery ports: a Worker app as users run it.
  const discoveryPort = WRANGLER_DEV_PORT;
  given = await liveApp("/api/inngest");
  noPollApp = await liveApp("/api/inngest");
  // Discovery looks at the --no-poll app's own port: its connects count the rounds, as no
  // known app's path is fetched again.
  [server, noPollServer] = await Promise.all([
    startDevServer(
      {},
      {
        flags: ["-u", given.url, "--poll-interval", "1"],
      },
    ),
    startDevServer(
      {},
      {
        flags: ["-u", noPollApp.url, "--no-poll", "--poll-interval", "0.2"],
        env: { STEPFLARE_DISCOVERY_PORTS: String(new URL(noPollApp.url).port) },
      },
    ),
  ]);
  givenClient = devClient("e2e-given-app", server.url);
  given.serve(givenClient, [doubleOf(givenClient)]);
  noPollClient = devClient("e2e-no-poll-app", noPollServer.url);
  noPollApp.serve(noPollClient, [doubleOf(noPollClient)]);
  const foundClient = devClient("e2e-found-app", server.url);
  // On ::1 only, as an app listening on `localhost` is where that name resolves to ::1 first
  // (`wrangler dev` on macOS): discovery tries ::1 where 127.0.0.1 is closed.
  found = await liveApp("/.netlify/functions/inngest", discoveryPort, "::1");
  found.serve(foundClient, [foundClient.createFunction({ id: "found-fn", triggers: { event: "test/found" } }, async () => "found")]);
});

afterAll(async () => {
  await given?.close();
  await found?.close();
  await noPollApp?.close();
  await server?.dispose();
  await noPollServer?.dispose();
});

describe("apps kept in sync by the dev server", () => {
  it("prints one banner with the dashboard URL and how to point an app at it", async () => {
    // /health can answer a moment before the banner reaches the pipe.
    const output = await waitFor(() => (server.output().includes("Point an app") ? server.output() : undefined), 10_000, "the banner");
    expect(output.match(/stepflare dev server ready on/g)).toHaveLength(1);
    expect(output).toContain(`Dashboard       ${server.url}`);
    expect(output).toContain(`INNGEST_BASE_URL=${server.url}`);
    expect(output).not.toContain("Request.cf");
  });

  it("syncs an app given with -u at start, without a manual sync", async () => {
    const synced = await waitFor(() => syncedFunctions(server.url, "e2e-given-app"), 30_000, "the -u app to be synced");
    expect(synced).toEqual({ url: given.url, ids: ["e2e-given-app-double"] });
    const [id] = await sendEvents(server.url, { name: "test/double", data: { n: 21 } });
    const [run] = await waitForEndedRuns(server.url, id!, 1, 60_000);
    expect(run).toMatchObject({ status: "Completed", output: 42 });
  });

  it("picks up a function added to a running app, without a manual sync", async () => {
    await waitFor(() => syncedFunctions(server.url, "e2e-given-app"), 30_000, "the -u app to be synced");
    const added = givenClient.createFunction({ id: "added", triggers: { event: "test/added" } }, async () => "added later");
    given.serve(givenClient, [doubleOf(givenClient), added]);
    const synced = await waitFor(
      async () => ((await syncedFunctions(server.url, "e2e-given-app"))?.ids.length === 2 ? syncedFunctions(server.url, "e2e-given-app") : undefined),
      30_000,
      "the added function to be synced",
    );
    expect(synced?.ids).toEqual(["e2e-given-app-added", "e2e-given-app-double"]);
    const [id] = await sendEvents(server.url, { name: "test/added", data: {} });
    const [run] = await waitForEndedRuns(server.url, id!, 1, 60_000);
    expect(run).toMatchObject({ status: "Completed", output: "added later" });
    expect(server.output()).toContain(`synced app "e2e-given-app" at ${given.url}: 2 function(s)`);
  });

  it("with --no-poll, syncs a -u app once and does not pick up a function added to it", async () => {
    await waitFor(() => syncedFunctions(noPollServer.url, "e2e-no-poll-app"), 30_000, "the --no-poll server's -u app to be synced");
    const putsAfterSync = noPollApp.puts();
    const added = noPollClient.createFunction({ id: "added", triggers: { event: "test/added" } }, async () => "added later");
    noPollApp.serve(noPollClient, [doubleOf(noPollClient), added]);
    // Three more rounds (each connects to the discovery port first): two have run to their end.
    const rounds = noPollApp.connections() + 3;
    await waitFor(() => (noPollApp.connections() >= rounds ? true : undefined), 30_000, "three more discovery rounds");
    expect(noPollApp.puts()).toBe(putsAfterSync);
    expect(await syncedFunctions(noPollServer.url, "e2e-no-poll-app")).toEqual({ url: noPollApp.url, ids: ["e2e-no-poll-app-double"] });
  });

  it("discovers an app on 8787 (wrangler dev's port) at one of the usual paths, listening on ::1 only, and syncs it", async () => {
    const synced = await waitFor(() => syncedFunctions(server.url, "e2e-found-app"), 30_000, "the discovered app to be synced");
    expect(synced).toEqual({ url: found.url, ids: ["e2e-found-app-found-fn"] });
    const [id] = await sendEvents(server.url, { name: "test/found", data: {} });
    const [run] = await waitForEndedRuns(server.url, id!, 1, 60_000);
    expect(run).toMatchObject({ status: "Completed", output: "found" });
  });
});

describe("GET /dev", () => {
  it("reports discovery on and the -u URL, as the server was started", async () => {
    const info = (await (await fetch(`${server.url}/dev`)).json()) as DevServerInfo;
    expect(info.startOpts).toEqual({ autodiscover: true, urls: [given.url] });
  });
});

describe("the command line", () => {
  it("refuses an unknown flag with a short message and exit code 2, before starting anything", async () => {
    const { code, stdout, stderr } = await runDevScript(["--port", "0", "--no-such-flag"]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe("npm run dev: unknown flag --no-such-flag; see npm run dev --help (a `wrangler dev` flag needs --wrangler)");
    expect(stdout).toBe("");
  });

  it("lists the default discovery ports in --help, 3000 and wrangler dev's 8787 among them", async () => {
    const { code, stdout } = await runDevScript(["--help"]);
    expect(code).toBe(0);
    const ports = /\(ports ([^)]*)\)/.exec(stdout)?.[1] ?? "";
    expect(ports.split(", ")).toEqual(expect.arrayContaining(["3000-3010", "8787"]));
    expect(stdout).toContain("--sdk-url");
    expect(stdout).toContain("--no-discovery");
    expect(stdout).toContain("--no-poll");
  });
});

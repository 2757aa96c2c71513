import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "./ports";
import { useSigningKey } from "./server-api";
import { waitFor } from "./wait";

const ROOT = resolve(import.meta.dirname, "../../..");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");

/** stepflare and an app Worker in local workerd, each in its own `wrangler dev`, bound to each other. */
export interface WorkerPair {
  /** stepflare's URL (its REST API and event API). */
  serverUrl: string;
  /** The app Worker's own URL, as a developer's machine reaches it after a deploy. */
  appUrl: string;
  /** Stops both and deletes their state. */
  dispose(): Promise<void>;
  /** Everything both printed so far (for failure messages). */
  output(): string;
}

/** How to start the pair. */
export interface WorkerPairOptions {
  /** The app Worker's config, relative to the repository root. */
  appConfig: string;
  /** stepflare's `[[services]]` entry for the app: its binding name and the app Worker's name. */
  appBinding: { binding: string; service: string };
  serverVars: Record<string, string>;
  appVars: Record<string, string>;
}

/** A `wrangler dev` (or `scripts/dev.mjs`) process group, stopped by killing the whole group. */
function startProcess(args: string[], env: NodeJS.ProcessEnv, log: (chunk: string) => void): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"], env });
  child.stdout?.on("data", (d) => log(String(d)));
  child.stderr?.on("data", (d) => log(String(d)));
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  const exited = child.exitCode === null ? new Promise((r) => child.once("exit", r)) : Promise.resolve();
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // ESRCH: the group is already gone.
  }
  await exited;
}

/** Waits until `url` answers (with a 2xx when `ok` is set). */
async function untilAnswering(url: string, ok: boolean, child: ChildProcess, log: () => string, what: string): Promise<void> {
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`${what} exited:\n${log()}`);
      const res = await fetch(url).catch(() => null);
      return res && (res.ok || !ok) ? true : undefined;
    },
    90_000,
    `${what} to answer`,
  );
}

/**
 * Starts stepflare as `npm run dev` does, with a copy of its wrangler.toml that adds a Service
 * Binding to the app (as a deploy would), and the app Worker with `wrangler dev`. Both use their own
 * dev registry, so the bindings connect these two processes and nothing else running on the machine.
 */
export async function startWorkerPair(options: WorkerPairOptions): Promise<WorkerPair> {
  const [serverPort, appPort] = [await freePort(), await freePort()];
  const state = mkdtempSync(join(tmpdir(), "stepflare-e2e-pair-"));
  // Next to wrangler.toml, so every path in it (main, migrations) resolves as in the original.
  const serverConfig = join(ROOT, `.e2e-wrangler-${serverPort}.toml`);
  writeFileSync(
    serverConfig,
    `${readFileSync(join(ROOT, "wrangler.toml"), "utf8")}\n[[services]]\nbinding = "${options.appBinding.binding}"\nservice = "${options.appBinding.service}"\n`,
  );
  const registry = join(state, "registry");
  const env = {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    NO_COLOR: "1",
    WRANGLER_REGISTRY_PATH: registry,
    CLOUDFLARE_DEV_REGISTRY_PATH: registry,
  };
  const varArgs = (vars: Record<string, string>) => Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  let log = "";
  const append = (prefix: string) => (chunk: string) => (log += chunk.replace(/^/gm, prefix));

  const server = startProcess(
    [
      join(ROOT, "scripts/dev.mjs"),
      "--port",
      String(serverPort),
      "--persist-to",
      join(state, "server"),
      "--config",
      serverConfig,
      "--no-discovery",
      "--no-poll",
      ...varArgs(options.serverVars),
    ],
    env,
    append("[stepflare] "),
  );
  const app = startProcess(
    [
      WRANGLER,
      "dev",
      "--config",
      options.appConfig,
      "--ip",
      "127.0.0.1",
      "--port",
      String(appPort),
      "--persist-to",
      join(state, "app"),
      "--show-interactive-dev-session=false",
      ...varArgs(options.appVars),
    ],
    env,
    append("[app] "),
  );
  const dispose = async () => {
    await Promise.all([stopProcess(server), stopProcess(app)]);
    rmSync(serverConfig, { force: true });
    rmSync(state, { recursive: true, force: true });
  };
  const serverUrl = `http://127.0.0.1:${serverPort}`;
  const appUrl = `http://127.0.0.1:${appPort}`;
  try {
    await untilAnswering(`${serverUrl}/health`, true, server, () => log, "stepflare");
    await untilAnswering(appUrl, false, app, () => log, "the app Worker");
  } catch (err) {
    await dispose();
    throw err;
  }
  if (options.serverVars.INNGEST_SIGNING_KEY) useSigningKey(serverUrl, options.serverVars.INNGEST_SIGNING_KEY);
  return { serverUrl, appUrl, dispose, output: () => log };
}

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "./ports";
import { useSigningKey } from "./server-api";
import { waitFor } from "./wait";

const ROOT = resolve(import.meta.dirname, "../../..");

/** Which of `npm run dev`'s two ways to serve the Worker: Miniflare directly (the default) or `wrangler dev`. */
export type DevPath = "miniflare" | "wrangler";

/** A running stepflare dev server, started exactly as `npm run dev` starts it. */
export interface DevServer {
  url: string;
  /** Stops the server; its state stays on disk. */
  stop(): Promise<void>;
  /** Starts it again on the same port and state, on the same path unless `path` names the other. */
  start(path?: DevPath): Promise<void>;
  /** Stops it and deletes its state. */
  dispose(): Promise<void>;
  /** Everything the server printed so far (for failure messages). */
  output(): string;
}

/**
 * What keeps a test's server to the apps the test syncs: discovery would find whatever listens on
 * the usual ports of this machine, and polling would send extra PUTs to apps that count requests.
 */
const ISOLATED = ["--no-discovery", "--no-poll"];

/**
 * Starts `scripts/dev.mjs` on a free port with its own state directory; `vars` become Worker
 * variables, `path: "wrangler"` adds `--wrangler`, `flags` replace the default `--no-discovery
 * --no-poll`, `env` is added to the process's environment and `config` names another wrangler
 * config.
 */
export async function startDevServer(
  vars: Record<string, string> = {},
  { path = "miniflare", flags = ISOLATED, env = {}, config }: { path?: DevPath; flags?: string[]; env?: Record<string, string>; config?: string } = {},
): Promise<DevServer> {
  const port = await freePort();
  const persist = mkdtempSync(join(tmpdir(), "stepflare-e2e-"));
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let log = "";
  let current = path;

  const start = async (next: DevPath = current) => {
    current = next;
    child = spawn(
      process.execPath,
      [
        join(ROOT, "scripts/dev.mjs"),
        "--port",
        String(port),
        "--persist-to",
        persist,
        ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
        ...(current === "wrangler" ? ["--wrangler"] : []),
        ...flags,
        ...(config ? ["--config", config] : []),
      ],
      {
        cwd: ROOT,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", ...env },
      },
    );
    child.stdout?.on("data", (d) => (log += String(d)));
    child.stderr?.on("data", (d) => (log += String(d)));
    // A server that never came up is stopped here: the caller gets no handle to stop it with.
    try {
      await waitFor(
        async () => {
          if (child?.exitCode !== null) throw new Error(`dev server exited:\n${log}`);
          const res = await fetch(`${url}/health`).catch(() => null);
          return res?.ok ? true : undefined;
        },
        90_000,
        "the dev server to answer /health",
      );
    } catch (err) {
      await stop();
      throw err;
    }
  };

  const stop = async () => {
    const proc = child;
    child = null;
    if (!proc) return;
    const exited = proc.exitCode === null ? new Promise((r) => proc.once("exit", r)) : Promise.resolve();
    // The whole group goes, workerd included, even when the script itself has exited.
    try {
      process.kill(-proc.pid!, "SIGKILL");
    } catch {
      // ESRCH: the group is already gone.
    }
    await exited;
  };

  await start();
  // Production mode puts the REST API behind the signing key; the API helpers send it.
  if (vars.INNGEST_SIGNING_KEY) useSigningKey(url, vars.INNGEST_SIGNING_KEY);
  return {
    url,
    start,
    stop,
    output: () => log,
    dispose: async () => {
      await stop();
      rmSync(persist, { recursive: true, force: true });
    },
  };
}

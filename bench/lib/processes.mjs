/**
 * Child processes for the bench: each runs in its own process group so that stopping it also
 * stops what it spawned (wrangler starts workerd), and every group still alive when the bench
 * exits is killed, whatever the reason for exiting.
 * @module
 */
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** Process groups started and not yet seen to exit. */
const live = new Set();

/** How long a group gets to exit after SIGTERM before it is sent SIGKILL. */
const STOP_GRACE_MS = 5_000;

/**
 * Environment for wrangler: no telemetry and no fetch of the `Request.cf` placeholder, because
 * the bench must not reach any address but loopback.
 */
export function offlineEnv(extra = {}) {
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    NO_UPDATE_NOTIFIER: "1",
    ...extra,
  };
}

/**
 * Start `node <script> ...args` (with the bench's own node, v22) in a new process group, its
 * output written to `logPath`. With `ipc`, the child gets an IPC channel (`process.send`).
 */
export function startNode(name, script, args, { env, cwd, logPath, ipc = false }) {
  const log = createWriteStream(logPath);
  const child = spawn(process.execPath, [script, ...args], {
    cwd,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe", ...(ipc ? ["ipc"] : [])],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  live.add(child);
  return { name, child, exited, logPath };
}

/** Stop a process group: SIGTERM, then SIGKILL if it is still there after a grace period. */
export async function stop(handle) {
  if (!live.has(handle.child)) return;
  signalGroup(handle.child, "SIGTERM");
  const outcome = await Promise.race([handle.exited, sleep(STOP_GRACE_MS, "timeout")]);
  if (outcome === "timeout") signalGroup(handle.child, "SIGKILL");
  await Promise.race([handle.exited, sleep(STOP_GRACE_MS)]);
}

/** Kill every group still alive, synchronously, for use in `process.on("exit")`. */
export function killAll() {
  for (const child of live) signalGroup(child, "SIGKILL");
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Wait until `GET url` answers 200, failing early if the process exits first and with the tail
 * of its log when it does not come up in time.
 */
export async function waitForHealthy(handle, url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let exited = null;
  handle.exited.then((outcome) => (exited = outcome));
  while (Date.now() < deadline) {
    if (exited) {
      throw new Error(`${handle.name} exited (code ${exited.code}, signal ${exited.signal}) before ${url} ` + `answered; see ${handle.logPath}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  throw new Error(`${handle.name}: ${url} did not answer 200 within ${timeoutMs} ms; see ${handle.logPath}`);
}

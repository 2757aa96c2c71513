/**
 * stepflare as an installed package: `npm pack`, the tarball installed into an empty project,
 * then `npx stepflare dev` started there, with no clone around it. This checks that `files`
 * ships what the dev server needs (its scripts, the Worker's source, the migrations, the wrangler
 * config), that what it imports at run time is in `dependencies`, and that the bin takes the
 * same flags as `npm run dev`.
 *
 * The install takes most of the time (about 30 s on a busy machine); npm prefers its cache.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./harness/ports";
import { waitFor } from "./harness/wait";

const ROOT = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
/** npm and npx run on the Node that runs the tests (22), as the package requires. */
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };

let work: string;
let server: ChildProcess | undefined;
let output = "";
let url: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "stepflare-package-"));
  const { stdout } = await run("npm", ["pack", "--pack-destination", work], { cwd: ROOT, env });
  const tarball = join(work, stdout.trim().split("\n").at(-1)!);
  const project = join(work, "project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "an-app", private: true }));
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], { cwd: project, env });

  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  server = spawn("npx", ["stepflare", "dev", "--port", String(port), "--persist-to", join(work, "state"), "--no-discovery"], {
    cwd: project,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout?.on("data", (d) => (output += String(d)));
  server.stderr?.on("data", (d) => (output += String(d)));
  await waitFor(
    async () => {
      if (server?.exitCode !== null) throw new Error(`stepflare dev exited:\n${output}`);
      const res = await fetch(`${url}/health`).catch(() => null);
      return res?.ok ? true : undefined;
    },
    90_000,
    "the packaged dev server to answer /health",
  );
}, 300_000);

afterAll(async () => {
  if (server?.pid !== undefined && server.exitCode === null) {
    const exited = new Promise((r) => server!.once("exit", r));
    process.kill(-server.pid, "SIGKILL");
    await exited;
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("npx stepflare dev from the packed package", () => {
  it("serves /health and the dashboard, with the banner", async () => {
    const health = await fetch(`${url}/health`);
    expect(await health.json()).toMatchObject({ status: "ok", mode: "dev" });
    const dashboard = await fetch(`${url}/`);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain("<title>stepflare</title>");
    // The dashboard's script, bundled from its TypeScript when the packaged server started.
    const script = await fetch(`${url}/_dashboard/app.js`);
    expect(script.headers.get("content-type")).toContain("text/javascript");
    expect(await script.text()).toContain("/v0/runs");
    await waitFor(() => (output.includes(`Dashboard       ${url}`) ? true : undefined), 10_000, `the banner in\n${output}`);
    expect(output).toContain("no discovery (--no-discovery)");
  });

  it("refuses an unknown flag as npm run dev does", async () => {
    const project = join(work, "project");
    const failed = await run("npx", ["stepflare", "dev", "--no-such-flag"], { cwd: project, env }).catch((err: { code: number; stderr: string }) => err);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain("stepflare dev: unknown flag --no-such-flag");
  });
});

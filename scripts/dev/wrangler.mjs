/**
 * Runs wrangler's CLI as a child process: the D1 migrations, the bundle, and `wrangler dev`.
 * @module
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { quietLines } from "./quiet.mjs";

const WRANGLER = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin/wrangler.js");

/**
 * Runs `wrangler <args>`; resolves with its exit code and, when `capture` is set, its output
 * (otherwise the output goes to ours, through scripts/dev/quiet.mjs when `quiet` is set). SIGINT
 * and SIGTERM are passed on to it.
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, capture?: boolean, quiet?: boolean, verbose?: boolean, cwd?: string }} [options]
 * @returns {Promise<{ code: number, output: string }>}
 */
export function runWrangler(args, { env = process.env, capture = false, quiet = false, verbose = false, cwd } = {}) {
  const stdio = capture ? ["ignore", "pipe", "pipe"] : quiet ? ["inherit", "pipe", "pipe"] : "inherit";
  const child = spawn(process.execPath, [WRANGLER, ...args], { stdio, env, cwd });
  let output = "";
  if (capture) {
    child.stdout?.on("data", (d) => (output += String(d)));
    child.stderr?.on("data", (d) => (output += String(d)));
  } else if (quiet) {
    child.stdout?.on(
      "data",
      quietLines((text) => process.stdout.write(text), { queueBatches: verbose }),
    );
    child.stderr?.on(
      "data",
      quietLines((text) => process.stderr.write(text), { queueBatches: verbose }),
    );
  }
  const forward = (signal) => child.kill(signal);
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, forward);
  return new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      for (const s of ["SIGINT", "SIGTERM"]) process.off(s, forward);
      resolve({ code: code ?? (signal ? 1 : 0), output });
    }),
  );
}

/**
 * The directory of the wrangler config `config`, where wrangler is run: its `[build] command`
 * (the dashboard's bundle) runs in wrangler's working directory and names a path in it, which for
 * `stepflare dev` of an installed package is not the directory it was started in.
 */
export function configDir(config) {
  return dirname(resolve(config));
}

/**
 * Applies the D1 migrations of `binding` to the local state in `persistTo`, with wrangler's own
 * command, so its `d1_migrations` table is the one `wrangler dev` and `wrangler d1` read.
 */
export async function applyMigrations(config, binding, persistTo) {
  // CI=true answers wrangler's "apply migrations?" prompt; migrations only ever touch local state here.
  const { code, output } = await runWrangler(["d1", "migrations", "apply", binding, "--local", "--config", config, "--persist-to", persistTo], {
    env: { ...process.env, CI: "true" },
    capture: true,
  });
  if (code !== 0) throw new Error(`applying the D1 migrations of ${binding} failed:\n${output}`);
  const applied = output.match(/About to apply (\d+) migration/)?.[1];
  if (applied) console.log(`[stepflare dev] applied ${applied} D1 migration(s) to ${binding}`);
}

/**
 * Bundles the Worker exactly as `wrangler deploy` would upload it (esbuild with wrangler's
 * nodejs_compat handling, defines and module rules), without deploying; resolves with the path
 * of the bundle, an ES module. It goes beside the state it serves (wrangler keeps only `v3`
 * there): a restart rewrites it rather than leave a new one behind, and deleting the state
 * deletes it too.
 */
export async function bundleWorker(config, persistTo) {
  const outdir = join(resolve(persistTo), "dev-bundle");
  // Emptied first: the bundle is named after the config's `main` (an entry module such as
  // examples/local-app's, or one of any name), and must be the only one there.
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const { code, output } = await runWrangler(["deploy", "--dry-run", "--config", resolve(config), "--outdir", outdir], {
    capture: true,
    cwd: configDir(config),
  });
  if (code !== 0) throw new Error(`bundling the Worker failed:\n${output}`);
  // Modules found by the config's rules (the dashboard's chart script) are written beside the
  // bundle, named after their content's SHA-1: the bundle is the one .js file not so named.
  const bundles = readdirSync(outdir).filter((name) => name.endsWith(".js") && !/^[0-9a-f]{40}-/.test(name));
  if (bundles.length !== 1) throw new Error(`bundling the Worker left ${bundles.length} modules in ${outdir}, expected one`);
  return join(outdir, bundles[0]);
}

#!/usr/bin/env node
// Runs the stepflare dev server: applies the D1 migrations to the local state, then serves the
// Worker with `wrangler dev` on 127.0.0.1 (port 8288 unless --port is given). State persists in
// --persist-to (default .wrangler/state), so runs survive a restart.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";

// --port and --persist-to are ours; anything else (e.g. --var KEY:VALUE) goes to `wrangler dev`.
const { values, tokens } = parseArgs({
  options: {
    port: { type: "string", default: "8288" },
    "persist-to": { type: "string", default: ".wrangler/state" },
  },
  allowPositionals: true,
  strict: false,
  tokens: true,
});
const ours = new Set(["port", "persist-to"]);
const passthrough = tokens.flatMap((t) => {
  if (t.kind === "positional") return [t.value];
  if (t.kind === "option" && !ours.has(t.name)) return t.value === undefined ? [t.rawName] : [t.rawName, t.value];
  return [];
});

const wrangler = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin/wrangler.js");
const persist = ["--persist-to", String(values["persist-to"])];

/** Runs wrangler with `args`; resolves with its exit code. */
function runWrangler(args, env = process.env) {
  const child = spawn(process.execPath, [wrangler, ...args], { stdio: "inherit", env });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

// CI=true answers wrangler's "apply migrations?" prompt; migrations only ever touch local state here.
const migrated = await runWrangler(["d1", "migrations", "apply", "DB", "--local", ...persist], { ...process.env, CI: "true" });
if (migrated !== 0) process.exit(migrated);

process.exit(
  await runWrangler(["dev", "--ip", "127.0.0.1", "--port", String(values.port), ...persist, "--show-interactive-dev-session=false", ...passthrough]),
);

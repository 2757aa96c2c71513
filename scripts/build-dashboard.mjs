#!/usr/bin/env node
// Bundles the dashboard's browser code (src/dashboard/client/main.ts and what it imports) into one
// script, dist/dashboard/stepflare-dashboard.js, which the Worker imports as text and serves as
// `/_dashboard/app.js` (src/dashboard/routes.ts). wrangler.toml's `[build] command` runs it before
// every `wrangler dev`, `wrangler deploy` and `wrangler deploy --dry-run` (so `npm run dev` and
// `stepflare dev`, which bundle through the latter, too); vitest.config.ts runs it before the
// Workers tests. It takes well under a second. The output is generated, so it is git-ignored.
import { renameSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
/** The bundle, relative to the project root; wrangler.toml's Text rule names it too. */
const OUTPUT = "dist/dashboard/stepflare-dashboard.js";

/** Bundles the client; resolves once the file is in place. */
export async function buildDashboard() {
  const target = `${root}${OUTPUT}`;
  // Written beside the target and renamed over it: two dev servers started at once (the e2e
  // tests do) must never read a half-written file.
  const temporary = `${target}.${process.pid}.tmp`;
  await build({
    absWorkingDir: root,
    entryPoints: ["src/dashboard/client/main.ts"],
    outfile: temporary,
    bundle: true,
    // A classic script in an IIFE: nothing leaks into the page's global scope.
    format: "iife",
    platform: "browser",
    // Browsers of the last few years; the code uses optional chaining and `??`.
    target: "es2020",
    legalComments: "none",
    logLevel: "warning",
  });
  renameSync(temporary, target);
}

/** vitest's globalSetup hook (vitest.config.ts): the Workers tests import the bundle. */
export const setup = buildDashboard;

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildDashboard();

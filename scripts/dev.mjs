#!/usr/bin/env node
// Runs the stepflare dev server on 127.0.0.1 (port 8288 unless --port is given) with state in
// --persist-to (default .wrangler/state), so runs survive a restart. By default the bundled
// Worker runs on Miniflare directly (scripts/dev/miniflare-server.mjs); `--wrangler` runs
// `wrangler dev` instead (live reload, every wrangler dev flag), on the same state. The flags and
// what follows start-up are in scripts/dev/main.mjs; `stepflare dev` is the same command.
import { runDev } from "./dev/main.mjs";

await runDev(process.argv.slice(2), "npm run dev");

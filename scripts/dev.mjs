#!/usr/bin/env node
// Runs the stepflare dev server on 127.0.0.1 (port 8288 unless --port is given) with state in
// --persist-to (default .wrangler/state), so runs survive a restart. By default the bundled
// Worker runs on Miniflare directly (scripts/dev/miniflare-server.mjs); `--wrangler` runs
// `wrangler dev` instead (live reload, every wrangler dev flag), on the same state.
import { HOST, parseDevArgs, varFlags } from "./dev/args.mjs";
import { applyMigrations, bundleWorker, runWrangler } from "./dev/wrangler.mjs";

let args;
try {
  args = parseDevArgs(process.argv.slice(2));
} catch (err) {
  console.error(`npm run dev: ${err.message}`);
  process.exit(2);
}
const { port, persistTo, config, vars, passthrough } = args;

if (!args.wrangler && passthrough.length > 0) {
  console.error(`npm run dev: ${passthrough.join(" ")}: only --port, --persist-to, --config and --var are known here; add --wrangler to pass flags to \`wrangler dev\``);
  process.exit(2);
}
try {
  if (args.wrangler) {
    await applyMigrations(config, "DB", persistTo);
    const dev = ["dev", "--config", config, "--ip", HOST, "--port", String(port), "--persist-to", persistTo];
    const { code } = await runWrangler([...dev, "--show-interactive-dev-session=false", ...varFlags(vars), ...passthrough]);
    process.exit(code);
  }
  // The bundle starts first: wrangler's CLI loads in its process while this one loads wrangler's
  // API and Miniflare (imported here, as the wrangler path does not need them).
  const bundling = bundleWorker(config, persistTo);
  bundling.catch(() => {}); // Reported where it is awaited; this only keeps it from counting as unhandled meanwhile.
  const { startMiniflareServer } = await import("./dev/miniflare-server.mjs");
  await startMiniflareServer({ config, port, persistTo, vars, bundling });
} catch (err) {
  console.error(`npm run dev: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}

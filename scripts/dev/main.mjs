/**
 * The dev server's command line, shared by `npm run dev` (scripts/dev.mjs) and `stepflare dev`
 * (scripts/stepflare.mjs): flags are checked before anything starts, then the Worker is served on
 * Miniflare (the default) or `wrangler dev` (--wrangler), the start-up banner is printed, and the
 * apps are discovered and kept in sync (scripts/dev/apps.mjs).
 * @module
 */
import { resolve } from "node:path";
import { HOST, parseDevArgs, UsageError, usage, varFlags } from "./args.mjs";
import { startAppSync } from "./apps.mjs";
import { banner } from "./banner.mjs";
import { discoveryPorts } from "./discovery.mjs";
import { startOptsVars } from "./start-opts-vars.mjs";
import { applyMigrations, bundleWorker, configDir, runWrangler } from "./wrangler.mjs";

/** Exit code of a command line that cannot run (an unknown flag, a bad value), as most CLIs use. */
export const USAGE_EXIT_CODE = 2;

/** How often the wrangler path asks whether `wrangler dev` answers yet, before the banner. */
const READY_PROBE_MS = 250;

const log = (line) => console.log(`[stepflare dev] ${line}`);

/**
 * Runs the dev server for `argv` (the flags after the command), named `command` in messages.
 * Exits the process on a usage error or when the server ends.
 * @param {string[]} argv
 * @param {string} command
 */
export async function runDev(argv, command) {
  let args;
  try {
    args = parseDevArgs(argv);
    if (!args.wrangler && args.passthrough.length > 0) {
      throw new UsageError(`unknown flag ${args.passthrough.join(" ")}; see ${command} --help (a \`wrangler dev\` flag needs --wrangler)`);
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${command}: ${err.message}`);
    process.exit(USAGE_EXIT_CODE);
  }
  if (args.help) {
    console.log(usage(command));
    return;
  }
  const { port, persistTo, config, passthrough } = args;
  // The dev process's own settings come last: they say what this process does, whatever --var says.
  const vars = { ...args.vars, ...startOptsVars(args) };
  const ready = (url, runtime) => {
    const ports = args.discovery ? discoveryPorts(process.env, Number(new URL(url).port)) : null;
    const settings = { sdkUrls: args.sdkUrls, discoveryPorts: ports, poll: args.poll, intervalMs: args.pollIntervalMs };
    console.log(banner({ url, persistTo, runtime, ...settings }));
    startAppSync({ serverUrl: url, log, ...settings });
  };
  try {
    if (args.wrangler) {
      await applyMigrations(config, "DB", persistTo);
      // Paths absolute: wrangler runs in the config's directory (see configDir).
      const dev = ["dev", "--config", resolve(config), "--ip", HOST, "--port", String(port), "--persist-to", resolve(persistTo)];
      // Without a network, the `Request.cf` fetch fails with a warning at every start; stepflare never reads it.
      const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false" };
      const running = runWrangler([...dev, "--show-interactive-dev-session=false", ...varFlags(vars), ...passthrough], {
        env,
        quiet: true,
        verbose: args.verbose,
        cwd: configDir(config),
      });
      // Port 0 leaves the port to wrangler, which this process does not learn: no banner, no app sync.
      if (port !== 0) void whenAnswering(`http://${HOST}:${port}`, running).then((url) => url && ready(url, "wrangler dev"));
      const { code } = await running;
      process.exit(code);
    }
    // The bundle starts first: wrangler's CLI loads in its process while this one loads wrangler's
    // API and Miniflare (imported here, as the wrangler path does not need them).
    const bundling = bundleWorker(config, persistTo);
    bundling.catch(() => {}); // Reported where it is awaited; this only keeps it from counting as unhandled meanwhile.
    const { startMiniflareServer } = await import("./miniflare-server.mjs");
    const url = await startMiniflareServer({ config, port, persistTo, vars, bundling, verbose: args.verbose });
    ready(url, "Miniflare, no proxy");
  } catch (err) {
    console.error(`${command}: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}

/** Resolves with `url` once its /health answers, or null if `running` (the server) ends first. */
async function whenAnswering(url, running) {
  let ended = false;
  void running.then(() => (ended = true));
  while (!ended) {
    const res = await fetch(`${url}/health`).catch(() => null);
    if (res?.ok) return url;
    await new Promise((r) => setTimeout(r, READY_PROBE_MS));
  }
  return null;
}

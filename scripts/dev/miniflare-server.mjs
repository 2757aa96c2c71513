/**
 * The dev server on Miniflare's API: the Worker bundled once, served by one workerd process with
 * no proxy in front of it, with the bindings `wrangler dev` would give it (read from the same
 * wrangler.toml by wrangler's own converter), the same state directory and the Cron Triggers.
 * @module
 */
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";
import { HOST } from "./args.mjs";
import { startCronTriggers } from "./cron.mjs";
import { wranglerRegistryPath } from "./registry-path.mjs";
import { applyMigrations, bundleWorker } from "./wrangler.mjs";

/**
 * Miniflare's options for the Worker of `configPath`, built from `bundle` (an ES module), in the
 * v4 shape wrangler's converter gives (`convertV4MiniflareOptions` turns them into v5's).
 * `wrangler dev` keeps each resource under `<persist-to>/v3/<plugin>` (d1, do, cache, ...), named
 * by the Worker's name: the same root and name here keep one state for both paths.
 * @param {{ config: ReturnType<typeof unstable_readConfig>, bundle: string, port: number, persistTo: string, vars: Record<string, string> }} settings
 */
export function miniflareOptions({ config, bundle, port, persistTo, vars }) {
  // Module rules are for finding modules at run time; the bundle is one self-contained ES module.
  const { workerOptions: converted, externalWorkers } = unstable_getMiniflareWorkerOptions(config);
  const { modulesRules: _rules, ...workerOptions } = converted;
  const projectRoot = dirname(resolve(config.configPath ?? "wrangler.toml"));
  return {
    rootPath: projectRoot,
    host: HOST,
    port,
    log: new Log(LogLevel.INFO, { prefix: "stepflare dev" }),
    // Miniflare logs each request through a call back into Node; wrangler dev hides them too.
    logRequests: false,
    // stepflare never reads `request.cf`: the placeholder saves fetching the real one from Cloudflare.
    cf: false,
    resourcePersistencePath: join(resolve(persistTo), "v3"),
    resourceTmpPath: join(projectRoot, ".wrangler", "tmp"),
    unsafeDevRegistryPath: wranglerRegistryPath(),
    // Serves /cdn-cgi/local/scheduled, which the Cron Trigger timer calls.
    unsafeTriggerHandlers: true,
    workers: [
      {
        ...workerOptions,
        name: config.name,
        rootPath: projectRoot,
        modules: true,
        modulesRoot: dirname(bundle),
        scriptPath: bundle,
        bindings: { ...workerOptions.bindings, ...vars },
      },
      ...externalWorkers,
    ],
  };
}

/**
 * Applies the migrations and bundles the Worker (side by side: two wrangler processes), then
 * starts Miniflare and the Cron Triggers. Resolves once the server answers. On SIGINT, SIGTERM
 * or SIGHUP, Miniflare's own exit hook disposes of it (workerd stopped, its temporary directory
 * deleted) and exits; the timers go with the process.
 * @param {{ config: string, port: number, persistTo: string, vars: Record<string, string> }} args
 */
export async function startMiniflareServer({ config: configPath, port, persistTo, vars }) {
  const config = unstable_readConfig({ config: configPath });
  // Beside the state it serves (wrangler keeps only `v3` there): a restart rewrites it rather than
  // leave a new one behind, and deleting the state deletes it too.
  const outdir = join(resolve(persistTo), "dev-bundle");
  mkdirSync(outdir, { recursive: true });
  await Promise.all([
    ...config.d1_databases.map((db) => applyMigrations(configPath, db.binding, persistTo)),
    bundleWorker(configPath, outdir),
  ]);

  const mf = new Miniflare(convertV4MiniflareOptions(miniflareOptions({ config, bundle: join(outdir, "index.js"), port, persistTo, vars })));
  const url = await mf.ready;
  const log = (line) => console.log(`[stepflare dev] ${line}`);
  startCronTriggers(config.triggers.crons ?? [], (path) => mf.dispatchFetch(new URL(path, url)), log);
  log(`ready on http://${HOST}:${url.port} (Miniflare, no proxy; state in ${persistTo})`);
}

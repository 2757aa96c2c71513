/**
 * The dev server on Miniflare's API: the Worker bundled once, served by one workerd process with
 * no proxy in front of it, with the bindings `wrangler dev` would give it (read from the same
 * wrangler.toml by wrangler's own converter), the same state directory and the Cron Triggers.
 * @module
 */
import { readdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";
import { HOST } from "./args.mjs";
import { startCronTriggers } from "./cron.mjs";
import { QuietLog } from "./quiet-log.mjs";
import { wranglerRegistryPath } from "./registry-path.mjs";
import { applyD1Migrations } from "./migrations.mjs";

/** Whether a file name matches the last part of a wrangler rule's glob (`**\/*name.js`). */
function matchesGlob(file, glob) {
  const last = glob.split("/").at(-1) ?? "";
  const pattern = last
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${pattern}$`).test(file);
}

/**
 * `options` with the Worker's code: `bundle`, one ES module, and beside it the files wrangler.toml's
 * Text rules import as strings (the dashboard's charting library), which the bundle imports.
 */
function withBundle(options, bundle, textGlobs) {
  const [worker, ...others] = options.workers;
  const dir = dirname(bundle);
  const texts = readdirSync(dir).filter((file) => file !== basename(bundle) && textGlobs.some((glob) => matchesGlob(file, glob)));
  const modules = [{ type: "ESModule", path: bundle }, ...texts.map((file) => ({ type: "Text", path: join(dir, file) }))];
  return { ...options, workers: [{ ...worker, modules, modulesRoot: dir }, ...others] };
}

/**
 * Miniflare's options for the Worker of `configPath`, all but its code (see withBundle), in the
 * v4 shape wrangler's converter gives (`convertV4MiniflareOptions` turns them into v5's).
 * `wrangler dev` keeps each resource under `<persist-to>/v3/<plugin>` (d1, do, cache, ...), named
 * by the Worker's name: the same root and name here keep one state for both paths.
 * @param {{ config: ReturnType<typeof unstable_readConfig>, port: number, persistTo: string, vars: Record<string, string>, verbose: boolean }} settings
 */
function miniflareOptions({ config, port, persistTo, vars, verbose }) {
  // Module rules are for finding modules at run time; the bundle's modules are listed instead.
  const { workerOptions: converted, externalWorkers } = unstable_getMiniflareWorkerOptions(config);
  const { modulesRules: _rules, ...workerOptions } = converted;
  const projectRoot = dirname(resolve(config.configPath ?? "wrangler.toml"));
  return {
    rootPath: projectRoot,
    host: HOST,
    // Miniflare's entry worker (in front of every request it serves on this port) is only used
    // here for the Cron Trigger timer's /cdn-cgi/local/scheduled; users' requests take the direct
    // socket below. Any free port will do.
    port: 0,
    // Without the line of every batch of stepflare's own queues (see quiet-log.mjs), unless --verbose.
    log: new (verbose ? Log : QuietLog)(LogLevel.INFO, { prefix: "stepflare dev" }),
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
        bindings: { ...workerOptions.bindings, ...vars },
        // The server's port goes straight to the Worker, not through Miniflare's entry worker
        // (one isolate hop less on every request: about a millisecond per checkpoint and per
        // ingest request on 2 cores). The entry worker's extras are not needed: stepflare reads
        // no `request.cf`, logs no requests through it and answers its own errors.
        unsafeDirectSockets: [{ host: HOST, port }],
      },
      ...externalWorkers,
    ],
  };
}

/**
 * Applies the D1 migrations (in this process) while `bundling` (bundleWorker's promise) ends,
 * then starts Miniflare and the Cron Triggers. Resolves with the server's URL once it answers. On SIGINT,
 * SIGTERM or SIGHUP, Miniflare's own exit hook disposes of it (workerd stopped, its temporary
 * directory deleted) and exits; the timers go with the process.
 * @param {{ config: string, port: number, persistTo: string, vars: Record<string, string>, bundling: Promise<string>, verbose: boolean }} args
 */
export async function startMiniflareServer({ config: configPath, port, persistTo, vars, bundling, verbose }) {
  const config = unstable_readConfig({ config: configPath });
  const log = (line) => console.log(`[stepflare dev] ${line}`);
  const options = miniflareOptions({ config, port, persistTo, vars, verbose });
  const { d1Databases } = options.workers[0];
  const [bundle] = await Promise.all([bundling, applyD1Migrations({ config, d1Databases, persistRoot: options.resourcePersistencePath, log })]);

  const textGlobs = (config.rules ?? []).filter((rule) => rule.type === "Text").flatMap((rule) => rule.globs);
  const mf = new Miniflare(convertV4MiniflareOptions(withBundle(options, bundle, textGlobs)));
  const entry = await mf.ready;
  // The Worker's own socket, not Miniflare's entry worker in front of it: one hop less per request.
  const url = await mf.unsafeGetDirectURL(config.name);
  startCronTriggers(config.triggers.crons ?? [], (path) => mf.dispatchFetch(new URL(path, entry)), log, { everyTick: verbose });
  return `http://${HOST}:${url.port}`;
}

/**
 * The flags of `npm run dev` (and `stepflare dev`). Both paths take --port, --persist-to,
 * --config, --var and Inngest's dev-server flags for apps (-u/--sdk-url, --no-discovery,
 * --no-poll, --poll-interval); the wrangler path (--wrangler) also passes any other flag through
 * to `wrangler dev`, while the Miniflare path refuses flags it does not know rather than ignore
 * them.
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { compactPorts } from "./banner.mjs";
import { DEFAULT_DISCOVERY_PORTS, DEFAULT_POLL_INTERVAL_S } from "./discovery-settings.mjs";

/** Where the dev server listens unless --port says otherwise (Inngest's dev server port). */
export const DEFAULT_PORT = 8288;
/** The only address the dev server listens on: it has no auth in dev mode. */
export const HOST = "127.0.0.1";
/** Local state, in the directory layout `wrangler dev --persist-to` uses. */
export const DEFAULT_PERSIST_TO = ".wrangler/state";
/**
 * stepflare's own wrangler.toml, found from this file rather than the working directory, so that
 * `npx stepflare dev` run in an app's folder (which may have a wrangler.toml of its own) serves
 * stepflare.
 */
export const DEFAULT_CONFIG = fileURLToPath(new URL("../../wrangler.toml", import.meta.url));

const OURS = {
  port: { type: "string", short: "p", default: String(DEFAULT_PORT) },
  "persist-to": { type: "string", default: DEFAULT_PERSIST_TO },
  config: { type: "string", short: "c", default: DEFAULT_CONFIG },
  var: { type: "string", multiple: true, default: [] },
  wrangler: { type: "boolean", default: false },
  "sdk-url": { type: "string", short: "u", multiple: true, default: [] },
  "no-discovery": { type: "boolean", default: false },
  "no-poll": { type: "boolean", default: false },
  "poll-interval": { type: "string", default: String(DEFAULT_POLL_INTERVAL_S) },
  verbose: { type: "boolean", short: "v", default: false },
  help: { type: "boolean", short: "h", default: false },
};

/** A command line the dev server cannot run: its message is shown as is, with exit code 2. */
export class UsageError extends Error {
  name = "UsageError";
}

/** What `--help` prints, after the command's name. */
export function usage(command) {
  return `Usage: ${command} [flags]

  -p, --port <n>            listen on 127.0.0.1:<n> (default ${DEFAULT_PORT})
  -u, --sdk-url <url>       an app's serve URL to sync at start and keep in sync (repeatable)
      --no-discovery        do not look for apps on the usual local ports and paths
                            (ports ${compactPorts(DEFAULT_DISCOVERY_PORTS)})
      --no-poll             sync apps once; do not re-sync them when their functions change
      --poll-interval <s>   seconds between checks of apps and ports (default ${DEFAULT_POLL_INTERVAL_S})
      --persist-to <dir>    local state (default ${DEFAULT_PERSIST_TO})
      --var NAME:value      a Worker variable (repeatable)
  -c, --config <file>       another wrangler config (default: stepflare's own)
      --wrangler            serve with \`wrangler dev\` (live reload; other flags go to it)
  -v, --verbose             also print stepflare's own work: each queue batch and Cron Trigger tick
  -h, --help                this help`;
}

/**
 * Parses `argv` into the settings both paths share plus `passthrough`, the flags only
 * `wrangler dev` understands (in their original order). Throws {@link UsageError} for a value
 * that cannot be used.
 * @param {string[]} argv
 */
export function parseDevArgs(argv) {
  const { values, tokens } = parseArgs({ args: argv, options: OURS, allowPositionals: true, strict: false, tokens: true });
  const passthrough = tokens.flatMap((t) => {
    if (t.kind === "positional") return [t.value];
    if (t.kind === "option" && !(t.name in OURS)) return t.value === undefined ? [t.rawName] : [t.rawName, t.value];
    return [];
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${values.port}: not a port number`);
  const pollInterval = Number(values["poll-interval"]);
  if (!Number.isFinite(pollInterval) || pollInterval <= 0) {
    throw new UsageError(`--poll-interval ${values["poll-interval"]}: expected a number of seconds above 0`);
  }
  return {
    port,
    persistTo: String(values["persist-to"]),
    config: String(values.config),
    vars: parseVars(/** @type {string[]} */ (values.var)),
    wrangler: Boolean(values.wrangler),
    sdkUrls: /** @type {string[]} */ (values["sdk-url"]).map(parseSdkUrl),
    discovery: !values["no-discovery"],
    poll: !values["no-poll"],
    pollIntervalMs: Math.round(pollInterval * 1000),
    verbose: Boolean(values.verbose),
    help: Boolean(values.help),
    passthrough,
  };
}

/** An app's serve URL as given to -u: absolute http(s), kept as typed. */
function parseSdkUrl(text) {
  let url;
  try {
    url = new URL(String(text));
  } catch {
    throw new UsageError(`--sdk-url ${text}: not a URL (expected e.g. http://localhost:3000/api/inngest)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--sdk-url ${text}: expected an http or https URL`);
  return url.href;
}

/**
 * `--var KEY:VALUE` pairs as `wrangler dev` reads them: split at the first colon, so a value may
 * hold colons (URLs).
 * @param {string[]} pairs
 * @returns {Record<string, string>}
 */
export function parseVars(pairs) {
  const vars = {};
  for (const pair of pairs) {
    const colon = pair.indexOf(":");
    if (colon <= 0) throw new UsageError(`--var ${pair}: expected KEY:VALUE`);
    vars[pair.slice(0, colon)] = pair.slice(colon + 1);
  }
  return vars;
}

/** The same settings as flags again, for `wrangler dev` and the wrangler commands. */
export function varFlags(vars) {
  return Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
}

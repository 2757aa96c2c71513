/**
 * The flags of `npm run dev`. Both paths take --port, --persist-to, --config and --var; the
 * wrangler path (--wrangler) also passes any other flag through to `wrangler dev`, while the
 * Miniflare path refuses flags it does not know rather than ignore them.
 * @module
 */
import { parseArgs } from "node:util";

/** Where the dev server listens unless --port says otherwise (Inngest's dev server port). */
export const DEFAULT_PORT = 8288;
/** The only address the dev server listens on: it has no auth in dev mode. */
export const HOST = "127.0.0.1";
/** Local state, in the directory layout `wrangler dev --persist-to` uses. */
export const DEFAULT_PERSIST_TO = ".wrangler/state";

const OURS = {
  port: { type: "string", default: String(DEFAULT_PORT) },
  "persist-to": { type: "string", default: DEFAULT_PERSIST_TO },
  config: { type: "string", short: "c", default: "wrangler.toml" },
  var: { type: "string", multiple: true, default: [] },
  wrangler: { type: "boolean", default: false },
};

/**
 * Parses `argv` into the settings both paths share plus `passthrough`, the flags only
 * `wrangler dev` understands (in their original order).
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
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port}: not a port number`);
  return {
    port,
    persistTo: String(values["persist-to"]),
    config: String(values.config),
    vars: parseVars(/** @type {string[]} */ (values.var)),
    wrangler: Boolean(values.wrangler),
    passthrough,
  };
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
    if (colon <= 0) throw new Error(`--var ${pair}: expected KEY:VALUE`);
    vars[pair.slice(0, colon)] = pair.slice(colon + 1);
  }
  return vars;
}

/** The same settings as flags again, for `wrangler dev` and the wrangler commands. */
export function varFlags(vars) {
  return Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
}

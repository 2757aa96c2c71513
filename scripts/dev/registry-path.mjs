/**
 * The dev registry `wrangler dev` uses, so that a Worker started with `wrangler dev` (an app bound
 * to stepflare, see README "Apps that are Workers") finds this server and this server finds it.
 * Miniflare's own default is another directory; Miniflare still lets CLOUDFLARE_DEV_REGISTRY_PATH
 * override the path given here, as it does for wrangler.
 * @module
 */
import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Where wrangler keeps its global state: `~/.wrangler` if it exists, else the platform's config dir. */
function wranglerConfigDir() {
  const legacy = join(homedir(), ".wrangler");
  if (existsSync(legacy) && statSync(legacy).isDirectory()) return legacy;
  const env = process.env;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, ".wrangler");
  if (process.platform === "darwin") return join(homedir(), "Library", "Preferences", ".wrangler");
  if (process.platform === "win32") return join(env.APPDATA || join(homedir(), "AppData", "Roaming"), "xdg.config", ".wrangler");
  return join(homedir(), ".config", ".wrangler");
}

/** The registry path as wrangler resolves it: WRANGLER_REGISTRY_PATH, else `<config dir>/registry`. */
export function wranglerRegistryPath() {
  return process.env.WRANGLER_REGISTRY_PATH || join(wranglerConfigDir(), "registry");
}

/**
 * The dashboard's browser script, served as `/_dashboard/app.js`: the TypeScript under
 * src/dashboard/client bundled into one file by scripts/build-dashboard.mjs, which wrangler.toml's
 * `[build] command` runs before each bundle of the Worker (and vitest.config.ts before the Workers
 * tests). The file is generated, hence git-ignored.
 * @module
 */
import DASHBOARD_TEXT from "../../dist/dashboard/stepflare-dashboard.js";

/** The script; it defines nothing global and renders the page for the current path. */
export const DASHBOARD_JS: string = DASHBOARD_TEXT;

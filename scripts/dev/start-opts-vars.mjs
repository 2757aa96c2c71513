/**
 * What the dev process tells the Worker about how it was started, as Worker variables, so that
 * `GET /dev` reports it truthfully (src/api/dev-start-opts.ts reads them).
 * @module
 */

/**
 * The variables for settings `args` (parseDevArgs's result). With `--wrangler` on port 0 this
 * process never learns the server's port, so it discovers and syncs nothing (scripts/dev/main.mjs).
 * @param {{ discovery: boolean, sdkUrls: string[], wrangler: boolean, port: number }} args
 * @returns {Record<string, string>}
 */
export function startOptsVars({ discovery, sdkUrls, wrangler, port }) {
  const syncsApps = !(wrangler && port === 0);
  return {
    STEPFLARE_DEV_AUTODISCOVER: String(syncsApps && discovery),
    STEPFLARE_DEV_SDK_URLS: JSON.stringify(sdkUrls),
  };
}

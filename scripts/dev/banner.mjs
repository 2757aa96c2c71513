/**
 * The dev server's one start-up banner: where the dashboard is, how to point an app at it, and
 * how apps get synced with the flags given.
 * @module
 */

/**
 * @param {{ url: string, persistTo: string, runtime: string, sdkUrls: string[], discoveryPorts: number[] | null, poll: boolean, intervalMs: number }} s
 * @returns {string}
 */
export function banner({ url, persistTo, runtime, sdkUrls, discoveryPorts, poll, intervalMs }) {
  const seconds = `${intervalMs / 1000} s`;
  const apps = [
    ...sdkUrls.map((u) => `sync ${u}`),
    discoveryPorts === null ? "no discovery (--no-discovery)" : `discover apps on ports ${compactPorts(discoveryPorts)} every ${seconds}`,
    poll ? `re-sync an app when its functions change (checked every ${seconds})` : "sync each app once (--no-poll)",
  ];
  return [
    "",
    `  stepflare dev server ready on ${url}  (${runtime}; state in ${persistTo})`,
    "",
    `  Dashboard       ${url}`,
    `  Point an app    INNGEST_DEV=1 INNGEST_BASE_URL=${url}`,
    `                  (or INNGEST_DEV=${url}, or new Inngest({ id, isDev: true, baseUrl: "${url}" }))`,
    `  Apps            ${apps.join("\n                  ")}`,
    "",
  ].join("\n");
}

/** `3000, 3001, 3002, 8787` as `3000-3002, 8787`. */
export function compactPorts(ports) {
  const sorted = [...ports].sort((a, b) => a - b);
  const runs = [];
  for (const p of sorted) {
    const last = runs.at(-1);
    if (last && p === last[1] + 1) last[1] = p;
    else runs.push([p, p]);
  }
  return runs.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(", ");
}

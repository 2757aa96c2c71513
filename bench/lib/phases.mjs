/**
 * The server's phase timings (src/metering/phase-timing.ts, switched on by the bench with
 * `--var STEPFLARE_TIME_PHASES:true`): reset before a section, read after it, so each section's
 * breakdown holds only its own requests.
 * @module
 */

/** Starts the server's phase samples again from nothing. */
export async function resetPhases(client) {
  const response = await client.post("/_bench/phases/reset", "");
  if (response.status !== 200) throw new Error(`could not reset phase timings: ${response.status} ${response.text.slice(0, 200)}`);
}

/**
 * The server's phase summaries whose names start with one of `prefixes` (`{ n, mean, p50, p95 }`
 * in ms, by phase name), or null when the server does not time phases.
 */
export async function readPhases(client, prefixes) {
  const response = await client.get("/_bench/phases");
  if (response.status !== 200) return null;
  const phases = response.json?.phases ?? {};
  return Object.fromEntries(Object.entries(phases).filter(([name]) => prefixes.some((p) => name.startsWith(p))));
}

/** Runs `fn` with the phase samples reset first; resolves to its result and the phases it left. */
export async function withPhases(client, prefixes, fn) {
  await resetPhases(client);
  const result = await fn();
  return { result, phases: await readPhases(client, prefixes) };
}

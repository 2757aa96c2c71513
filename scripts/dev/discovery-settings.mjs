/**
 * The defaults and limits of app discovery and polling in the dev process (scripts/dev/apps.mjs).
 * They live beside the dev scripts rather than in src/constants.ts: only the Node dev process
 * uses them, never the Worker.
 * @module
 */

/**
 * Ports looked at for apps: Inngest's dev-server list (web servers, Express/Next, Django, Vite,
 * Redwood), plus 8787, where `wrangler dev` serves a Worker unless told otherwise. `$PORT` is
 * added when set, as Inngest does.
 */
export const DEFAULT_DISCOVERY_PORTS = Object.freeze([
  80, 443, 3000, 3001, 3002, 3003, 3004, 3005, 3006, 3007, 3008, 3009, 3010, 5000, 5173, 8000, 8080, 8081, 8787, 8888, 8910, 8911, 8912, 8913, 8914, 8915,
]);

/**
 * The loopback addresses each port is tried on, in turn. Inngest's dev server tries 127.0.0.1
 * only; an app that listens on `localhost` binds the first address the name resolves to, which is
 * ::1 on many machines (macOS's hosts file lists it first, and `wrangler dev` listens on
 * `localhost` by default and binds one address only), so ::1 is tried when 127.0.0.1 is closed.
 */
export const DISCOVERY_HOSTS = Object.freeze(["127.0.0.1", "::1"]);

/** The serve paths tried on each open port, Inngest's list: the SDK's default, then hosts' own. */
export const DISCOVERY_PATHS = Object.freeze(["/api/inngest", "/x/inngest", "/.netlify/functions/inngest", "/.redwood/functions/inngest"]);

/** Comma-separated ports that replace the default list (for tests, or an unusual setup). */
export const DISCOVERY_PORTS_ENV = "STEPFLARE_DISCOVERY_PORTS";

/** Seconds between two rounds of discovery and app checks, as Inngest's `--poll-interval` default. */
export const DEFAULT_POLL_INTERVAL_S = 5;

/** How long a port may take to accept a connection; loopback answers at once or refuses. */
export const PORT_CONNECT_TIMEOUT_MS = 500;

/** How long an app may take to answer a discovery GET or a check PUT. */
export const APP_CHECK_TIMEOUT_MS = 2_000;

/** The most of an app's check answer read (the SDK's function configs), as the server's sync cap. */
export const MAX_APP_ANSWER_BYTES = 16 * 1024 * 1024;

/** How long the server may take to sync an app (its own PUT is capped at 30 s), plus margin. */
export const SERVER_SYNC_TIMEOUT_MS = 35_000;

/**
 * How long a port that serves HTTP but no Inngest handler is left alone before its paths are
 * tried again (sooner if the port closes): other local servers see four GETs a minute at most.
 */
export const NOT_AN_APP_RECHECK_MS = 60_000;

/**
 * Finding apps on this machine as Inngest's dev server does: the usual ports are tried with a TCP
 * connect (on 127.0.0.1, then ::1: see DISCOVERY_HOSTS), and on each open port the usual serve
 * paths with a GET; a URL whose answer carries the SDK's `x-inngest-sdk` header is an app.
 * Bounded: two connects at most per port and round, four GETs per newly open port, each with a
 * timeout, and a port that serves something else is left alone for a while. Nothing is printed
 * here: a port where nothing answers is the common case.
 * @module
 */
import { connect } from "node:net";
import {
  APP_CHECK_TIMEOUT_MS,
  DEFAULT_DISCOVERY_PORTS,
  DISCOVERY_HOSTS,
  DISCOVERY_PATHS,
  DISCOVERY_PORTS_ENV,
  NOT_AN_APP_RECHECK_MS,
  PORT_CONNECT_TIMEOUT_MS,
} from "./discovery-settings.mjs";

/** The header the SDK sets on every answer of its serve handler. */
const SDK_HEADER = "x-inngest-sdk";
const LOOPBACK_NAMES = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * The ports to look at: `STEPFLARE_DISCOVERY_PORTS` when set (comma-separated), else the default
 * list plus `$PORT`; never `ownPort`, the dev server's.
 * @param {NodeJS.ProcessEnv} env
 * @param {number} ownPort
 * @returns {number[]}
 */
export function discoveryPorts(env, ownPort) {
  const listed = env[DISCOVERY_PORTS_ENV];
  const ports = listed !== undefined ? listed.split(",").map((p) => Number(p.trim())) : [...DEFAULT_DISCOVERY_PORTS, Number(env.PORT)];
  return [...new Set(ports.filter((p) => Number.isInteger(p) && p > 0 && p < 65536 && p !== ownPort))];
}

/** `port` and path of a loopback URL, the identity discovery compares by (`localhost` = `127.0.0.1`). */
export function loopbackKey(url) {
  const u = new URL(url);
  if (!LOOPBACK_NAMES.has(u.hostname)) return null;
  return `${u.port || (u.protocol === "https:" ? "443" : "80")}${u.pathname.replace(/\/+$/, "")}`;
}

/** Resolves true when something accepts a TCP connection on `host`:`port`. */
function accepts(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: PORT_CONNECT_TIMEOUT_MS });
    const done = (open) => {
      socket.destroy();
      resolve(open);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}

/**
 * The origin (`http://127.0.0.1:3000`, `http://[::1]:8787`) of the first of DISCOVERY_HOSTS where
 * `port` is open, or null when it is open on none; the server reaches the app there too.
 */
export async function openOrigin(port) {
  for (const host of DISCOVERY_HOSTS) {
    if (await accepts(host, port)) return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  }
  return null;
}

/**
 * Whether a GET of `url` is answered by the Inngest SDK: true or false, or null when it is not
 * answered in time (a dev server still compiling the route, say).
 */
async function servesSdk(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(APP_CHECK_TIMEOUT_MS), redirect: "manual" });
    await res.body?.cancel();
    return res.headers.has(SDK_HEADER);
  } catch {
    return null;
  }
}

/**
 * A discovery that remembers, between rounds, which open ports serve no app. Each `round(known)`
 * returns the app URLs found on ports and paths that `known` (URLs already synced or given) does
 * not already name.
 * @param {number[]} ports
 */
export function createDiscovery(ports) {
  /** Port → when its paths may be tried again. */
  const notAnApp = new Map();
  return {
    /** @param {Iterable<string>} known */
    async round(known) {
      const knownKeys = new Set([...known].map(loopbackKey).filter((k) => k !== null));
      const found = await Promise.all(
        ports.map(async (port) => {
          const origin = await openOrigin(port);
          if (origin === null) {
            notAnApp.delete(port);
            return [];
          }
          if ((notAnApp.get(port) ?? 0) > Date.now()) return [];
          const urls = [];
          // Left alone for a while only if every path answered, and none as an app.
          let otherServer = true;
          // In turn on one port, as Inngest does: the port is open, so each answer is quick.
          for (const path of DISCOVERY_PATHS) {
            if (knownKeys.has(`${port}${path}`)) {
              otherServer = false;
              continue;
            }
            const url = `${origin}${path}`;
            const sdk = await servesSdk(url);
            if (sdk) urls.push(url);
            if (sdk !== false) otherServer = false;
          }
          if (otherServer) notAnApp.set(port, Date.now() + NOT_AN_APP_RECHECK_MS);
          return urls;
        }),
      );
      return found.flat();
    },
  };
}

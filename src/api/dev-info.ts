import type { Context } from "hono";
import type { Env } from "../env";
import { serverKind } from "../mode";
import { listApps, listFunctions } from "../sync/store";

/**
 * `GET /dev`: the answer in the shape of the SDK's `DevServerInfo` type (`version`, `authed`,
 * `startOpts`, `functions`, `handlers`); v3 SDKs in inferred dev mode probe it. In dev mode it
 * lists the synced apps' URLs and function configs, as Inngest's dev server does. The route is
 * open in production mode too, so there it names no app and no function.
 */
export async function devInfo(c: Context<{ Bindings: Env }>): Promise<Response> {
  const dev = serverKind(c.env) === "dev";
  const [apps, functions] = dev ? await Promise.all([listApps(c.env.DB), listFunctions(c.env.DB)]) : [[], []];
  return c.json({
    version: "stepflare",
    authed: false,
    startOpts: { autodiscover: false, urls: apps.map((app) => app.url) },
    functions: functions.map((fn) => fn.config),
    handlers: [],
  });
}

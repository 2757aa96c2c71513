import type { Context } from "hono";
import type { DevServerInfo } from "inngest/types";
import { version } from "../../package.json";
import type { Env } from "../env";
import { serverKind } from "../mode";
import type { FunctionConfig } from "../sync/function-config";
import { listFunctions } from "../sync/store";
import { devStartOpts } from "./dev-start-opts";

/**
 * The SDK's type, but with the functions' configs as stored: the JSON their SDKs sent, read with
 * looser types than the SDK's own (a period is any string, not a template of units).
 */
type Answer = Omit<DevServerInfo, "functions"> & { functions: FunctionConfig[] };

/**
 * `GET /dev`: the answer in the shape of the SDK's `DevServerInfo` type; v3 SDKs in inferred dev
 * mode probe it. `version` is stepflare's, `authed` false (it is never logged in to Inngest
 * Cloud), `startOpts` how the dev process was started (whether it discovers apps, the URLs given
 * with `-u`), `functions` the synced functions' configs as their SDKs sent them, and `handlers`
 * empty: stepflare keeps the apps and functions a sync registers, not the register requests. The
 * route is open in production mode too, so there it names no URL and no function.
 */
export async function devInfo(c: Context<{ Bindings: Env }>): Promise<Response> {
  const dev = serverKind(c.env) === "dev";
  const functions = dev ? await listFunctions(c.env.DB) : [];
  const startOpts = devStartOpts(c.env);
  const info: Answer = {
    version,
    authed: false,
    startOpts: { autodiscover: startOpts.autodiscover, urls: dev ? startOpts.urls : [] },
    functions: functions.map((fn) => fn.config),
    handlers: [],
  };
  return c.json(info);
}

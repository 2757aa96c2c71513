/**
 * How the dev process (scripts/dev) was started, as it tells the Worker through two variables,
 * for `GET /dev`'s `startOpts`. A Worker not started by it (`wrangler dev` run directly, a
 * deploy) has neither: nothing discovers apps and no URL was given at start.
 * @module
 */
import { z } from "zod";
import type { Env } from "../env";
import { readStoredJson } from "../util/stored-json";

/** The SDK's `DevServerInfo.startOpts` (without `dir`: stepflare reads no project directory). */
export interface DevStartOpts {
  /** Whether the dev process looks for apps on the usual local ports (off with `--no-discovery`). */
  autodiscover: boolean;
  /** The apps' serve URLs given at start (`-u`/`--sdk-url`). */
  urls: string[];
}

const autodiscoverVar = z.enum(["true", "false"]).transform((value) => value === "true");

const urlsVar = z.array(z.string());

/** The start options the dev process set; a variable that is missing or unreadable counts as unset. */
export function devStartOpts(env: Pick<Env, "STEPFLARE_DEV_AUTODISCOVER" | "STEPFLARE_DEV_SDK_URLS">): DevStartOpts {
  const autodiscover = autodiscoverVar.safeParse(env.STEPFLARE_DEV_AUTODISCOVER);
  const urls = env.STEPFLARE_DEV_SDK_URLS === undefined ? null : readStoredJson(urlsVar, env.STEPFLARE_DEV_SDK_URLS);
  return { autodiscover: autodiscover.success && autodiscover.data, urls: urls?.ok ? urls.value : [] };
}

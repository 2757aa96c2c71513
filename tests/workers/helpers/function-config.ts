import type { FunctionConfig } from "../../../src/sync/function-config";

/**
 * What the SDK syncs for a function `<appId>-<slug>` with one event trigger and its one step served
 * at `url`: the config tests save with `saveApp` instead of syncing a real app.
 */
export function httpFunctionConfig(appId: string, url: string, slug: string, event: string): FunctionConfig {
  const id = `${appId}-${slug}`;
  return {
    id,
    name: slug,
    triggers: [{ event }],
    steps: { step: { id: "step", name: "step", runtime: { type: "http", url: `${url}?fnId=${id}&stepId=step` } } },
  } as FunctionConfig;
}

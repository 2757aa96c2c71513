/**
 * The dashboard's browser script: the client modules joined in dependency order and wrapped so
 * nothing leaks into the page's global scope. Built once per isolate.
 * @module
 */
import { APPS_PAGE_JS } from "./apps-page";
import { CORE_JS } from "./core";
import { EVENTS_PAGE_JS } from "./events-page";
import { FUNCTIONS_PAGE_JS } from "./functions-page";
import { METRICS_PAGE_JS } from "./metrics-page";
import { RUN_PAGE_JS } from "./run-page";
import { RUNS_PAGE_JS } from "./runs-page";
import { SEND_EVENT_JS } from "./send-event";
import { TIMELINE_JS } from "./timeline";

/** `/_dashboard/app.js`. The runs page registers first: it is the fallback route. */
export const DASHBOARD_JS = `(() => {\n${[CORE_JS, RUNS_PAGE_JS, TIMELINE_JS, RUN_PAGE_JS, EVENTS_PAGE_JS, FUNCTIONS_PAGE_JS, APPS_PAGE_JS, METRICS_PAGE_JS, SEND_EVENT_JS].join("\n")}\n})();\n`;

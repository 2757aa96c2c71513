/**
 * The dashboard's browser script (`/_dashboard/app.js`), bundled by scripts/build-dashboard.mjs:
 * registers the pages, wires the header's "Send event" button and renders the current page.
 * @module
 */
import { renderApps } from "./apps-page";
import { renderEvent } from "./event-page";
import { renderEvents } from "./events-page";
import { renderFunctions } from "./functions-page";
import { renderMetrics } from "./metrics-page";
import { page, startRouter } from "./router";
import { renderRun } from "./run-page";
import { renderRuns } from "./runs-page";
import { sendEventDialog } from "./send-event";

// The runs page registers first: it is the fallback for paths no page matches.
page(/^\/(runs\/?)?$/, "runs", renderRuns);
page(/^\/runs\/([^/]+)$/, "runs", renderRun);
page(/^\/events\/?$/, "events", renderEvents);
page(/^\/events\/([^/]+)$/, "events", renderEvent);
page(/^\/functions\/?$/, "functions", renderFunctions);
page(/^\/apps\/?$/, "apps", renderApps);
page(/^\/metrics(?:\/([^/]+))?\/?$/, "metrics", renderMetrics);

document.querySelector("#send-event")!.addEventListener("click", sendEventDialog);
startRouter();

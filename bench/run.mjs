/**
 * `npm run bench [-- --quick] [-- --only <section>] [-- --waiting <N>]`: times stepflare (dev server + an app on the
 * official SDK) and an equivalent Cloudflare Workflow on the same local workerd, then writes a
 * JSON report and a markdown table to bench/results/ and prints both. Sections: config.mjs
 * SECTIONS.
 *
 * The two halves run one after the other, never together, so neither competes for the CPUs
 * while the other is timed.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LOCAL_COMPANIONS, OVERALL_TIMEOUT_MS, SECTIONS, workload } from "./lib/config.mjs";
import { benchLocal } from "./lib/local.mjs";
import { benchService } from "./lib/service.mjs";
import { killAll } from "./lib/processes.mjs";
import { buildReport, toMarkdown, writeReport } from "./lib/report.mjs";
import { benchStepflare, snapshotSources } from "./lib/stepflare.mjs";
import { benchWorkflows } from "./lib/workflows.mjs";

const RESULTS_DIR = fileURLToPath(new URL("./results", import.meta.url));
const LOG_DIR = path.join(RESULTS_DIR, "logs");

const { values: args } = parseArgs({
  options: { quick: { type: "boolean", default: false }, only: { type: "string" }, waiting: { type: "string" } },
});
const waiting = args.waiting === undefined ? undefined : Number(args.waiting);
if (waiting !== undefined && !(Number.isInteger(waiting) && waiting > 0)) {
  console.error("bench: --waiting takes a positive whole number of runs");
  process.exit(2);
}
if (args.only !== undefined && !SECTIONS.includes(args.only)) {
  console.error(`bench: --only takes one of ${SECTIONS.join(", ")}`);
  process.exit(2);
}
const quick = args.quick;
const only = args.only ?? null;
const selected = (name) => only === null || only === name || (only === "local" && LOCAL_COMPANIONS.includes(name));
const work = workload(quick, waiting);
const overallTimeoutMs = OVERALL_TIMEOUT_MS + (selected("wait") ? work.waitFillTimeoutMs : 0) + (selected("load") ? work.loadTimeoutMs : 0);
const scratch = mkdtempSync(path.join(os.tmpdir(), "stepflare-bench-"));

// Whatever ends the bench (success, error, timeout, Ctrl-C), no server outlives it.
process.on("exit", () => {
  killAll();
  rmSync(scratch, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => process.exit(130));
setTimeout(() => {
  console.error(`bench: gave up after ${Math.round(overallTimeoutMs / 60_000)} minutes`);
  process.exit(1);
}, overallTimeoutMs).unref();

mkdirSync(LOG_DIR, { recursive: true });
const problems = [];
const loadAtStart = os.loadavg()[0];

let workflows = null;
if (selected("workflows")) {
  console.error("bench: timing Cloudflare Workflows…");
  try {
    workflows = await benchWorkflows({
      instances: work.workflowInstances,
      warmup: work.warmupRuns,
      persistDir: path.join(scratch, "workflows"),
      logPath: path.join(LOG_DIR, "workflows.log"),
    });
  } catch (error) {
    problems.push(`workflows: ${error.message}`);
  }
}

let stepflare = {};
if (only !== "workflows") {
  console.error("bench: timing stepflare…");
  const [sourceDir, persistDir] = [path.join(scratch, "stepflare-src"), path.join(scratch, "stepflare")];
  stepflare = await benchStepflare({ work, sourceDir, persistDir, logDir: LOG_DIR, problems, selected });
}

let local = null;
let service = null;
if (selected("local")) {
  console.error("bench: timing stepflare with the app in-process (local transport)…");
  const sourceDir = path.join(scratch, "local-src");
  snapshotSources(sourceDir);
  try {
    local = await benchLocal({
      work,
      repo: fileURLToPath(new URL("..", import.meta.url)),
      sourceDir,
      persistDir: path.join(scratch, "local"),
      logPath: path.join(LOG_DIR, "local.log"),
    });
  } catch (error) {
    problems.push(`local: ${error.message}`);
  }
  console.error("bench: timing stepflare with the app Worker bound to it (service transport)…");
  const serviceSourceDir = path.join(scratch, "service-src");
  snapshotSources(serviceSourceDir);
  try {
    service = await benchService({
      work,
      repo: fileURLToPath(new URL("..", import.meta.url)),
      sourceDir: serviceSourceDir,
      persistDir: path.join(scratch, "service"),
      logDir: LOG_DIR,
    });
  } catch (error) {
    problems.push(`service: ${error.message}`);
  }
}

const report = buildReport({ quick, only, work, loadAtStart, stepflare, workflows, local, service, problems });
const files = writeReport(report, RESULTS_DIR);
console.log(JSON.stringify(report, null, 2));
console.log();
console.log(toMarkdown(report));
console.error(`bench: wrote ${path.relative(process.cwd(), files.json)} and ${path.relative(process.cwd(), files.md)}`);
process.exit(problems.length ? 1 : 0);

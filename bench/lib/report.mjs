/**
 * Turns bench measurements into the JSON report, checks them against the targets from the
 * issue, and renders the markdown table.
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { round } from "./stats.mjs";

/** Targets from the issue: per-step p50 under 5 ms and no slower than Workflows; 2,000 events/s. */
const TARGETS = { perStepP50Ms: 5, ratioP50: 1.0, singleEps: 2_000 };

/** The JSON report; figures that could not be measured are null. */
export function buildReport({ quick, work, loadAtStart, stepflare, workflows, problems }) {
  const perStep = stepflare.per_step_ms ?? null;
  const wfPerStep = workflows?.per_step_ms ?? null;
  const ratio = perStep?.p50 != null && wfPerStep?.p50 ? round(perStep.p50 / wfPerStep.p50) : null;
  const single = stepflare.ingestion?.single_eps ?? null;
  return {
    generated_at: new Date().toISOString(),
    quick,
    machine: {
      cpus: os.availableParallelism(),
      cpu_model: os.cpus()[0]?.model ?? null,
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      // Other work on the machine skews every figure; this shows whether there was any.
      load_avg_1m_at_start: round(loadAtStart),
    },
    workload: work,
    sync: stepflare.sync ?? null,
    ingestion: stepflare.ingestion ?? null,
    first_step_latency_ms: stepflare.first_step_latency_ms ?? null,
    per_step_ms: perStep,
    run_total_ms: stepflare.run_total_ms ?? null,
    app_calls: stepflare.app_calls ?? null,
    workflows_per_step_ms: wfPerStep,
    workflows_run_total_ms: workflows?.run_total_ms ?? null,
    ratio_p50: ratio,
    targets: {
      per_step_p50_under_5ms: perStep?.p50 != null && perStep.p50 < TARGETS.perStepP50Ms,
      ratio_p50_at_most_1: ratio !== null && ratio <= TARGETS.ratioP50,
      single_ingest_at_least_2000_eps: single !== null && single >= TARGETS.singleEps,
    },
    problems,
  };
}

/** The report as a markdown table, with the machine and any problems underneath. */
export function toMarkdown(report) {
  const { ingestion: ing, targets } = report;
  const met = (ok) => (ok ? "yes" : "**no**");
  const rows = [
    ["Baseline: GET /health at the same concurrency (requests/s)", num(ing?.health_rps, 0), "–", "", ""],
    ["Ingestion, 1 event/request (events/s)", num(ing?.single_eps, 0), "–", "≥ 2,000", met(targets.single_ingest_at_least_2000_eps)],
    [`Ingestion, ${report.workload.batchSize} events/request (events/s)`, num(ing?.batched_eps, 0), "–", "", ""],
    ["Queue worked through single-event burst (events/s)", num(ing?.single_drained_eps, 0), "–", "", ""],
    ["Queue worked through batched burst (events/s)", num(ing?.batched_drained_eps, 0), "–", "", ""],
    ["Event → first step, p50 / p95 (ms)", pair(report.first_step_latency_ms), "–", "", ""],
    [
      "Per-step overhead, 10-step function, p50 / p95 (ms/step)",
      pair(report.per_step_ms),
      pair(report.workflows_per_step_ms),
      "p50 < 5",
      met(targets.per_step_p50_under_5ms),
    ],
    [
      "…of which the SDK in the app, mean per call (ms); calls per 10-step run",
      report.app_calls ? `${num(report.app_calls.mean_ms)}; ${num(report.app_calls.per_run)}` : "–",
      "–",
      "",
      "",
    ],
    ["10-step run, send → function returned, p50 / p95 (ms)", pair(report.run_total_ms), pair(report.workflows_run_total_ms), "", ""],
    ["Per-step p50, stepflare ÷ Workflows", num(report.ratio_p50), "1", "≤ 1.0", met(targets.ratio_p50_at_most_1)],
  ];
  const m = report.machine;
  const lines = [
    `## stepflare bench${report.quick ? " (quick)" : ""}`,
    "",
    "| Metric | stepflare | Workflows | Target | Met |",
    "|---|---:|---:|---|---|",
    ...rows.map((row) => `| ${row.join(" | ")} |`),
    "",
    `${m.cpus} CPUs (${m.cpu_model}), Node ${m.node}, ${m.platform}, load ${m.load_avg_1m_at_start} at start; ` +
      `${report.generated_at}. ` +
      `App synced via ${report.sync ?? "–"}.`,
  ];
  if (m.load_avg_1m_at_start > m.cpus / 2) {
    lines.push("", `The machine was busy when the bench started (load ${m.load_avg_1m_at_start} on ${m.cpus} CPUs): expect slower, noisier figures.`);
  }
  if (report.problems.length) lines.push("", "Problems:", ...report.problems.map((p) => `- ${p}`));
  return lines.join("\n") + "\n";
}

/** Write `<stamp>.json` and `<stamp>.md` into `dir`; resolves to their paths. */
export function writeReport(report, dir) {
  mkdirSync(dir, { recursive: true });
  const stamp = report.generated_at.replace(/[:.]/g, "-");
  const json = path.join(dir, `bench-${stamp}.json`);
  const md = path.join(dir, `bench-${stamp}.md`);
  writeFileSync(json, JSON.stringify(report, null, 2) + "\n");
  writeFileSync(md, toMarkdown(report));
  return { json, md };
}

function num(value, digits = 2) {
  return value == null ? "–" : value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

function pair(summary) {
  return summary?.p50 == null ? "–" : `${num(summary.p50)} / ${num(summary.p95)}`;
}

/**
 * Turns bench measurements into the JSON report, checks them against the targets from the
 * issue, and renders the markdown table.
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CONCURRENCY_LIMIT, SLEEP_P95_TARGET_MS, WAIT_RATIO_TARGET } from "./config.mjs";
import { round } from "./stats.mjs";

/**
 * Targets from the issues: per-step p50 under 5 ms and no slower than Workflows; 2,000
 * events/s (foundation); resume with many runs waiting within 2× of one waiting, 1 s sleeps late
 * by under 500 ms at p95 (issue 3); concurrency peak equal to the limit, throttle periods within
 * 5% (issue 4); no D1 statement per event, run or step on the hot path (issue 9); in-process,
 * per-step p50 at most 1.5 ms and a 10-step run at most half the Workflow's (issue 10).
 */
const TARGETS = { perStepP50Ms: 5, ratioP50: 1.0, singleEps: 2_000, localPerStepP50Ms: 1.5, localRunRatioP50: 0.5 };

/** `test(value)` when `value` was measured, else null (the target was not checked). */
function check(value, test) {
  return value === null || value === undefined ? null : test(value);
}

/** The JSON report; figures that could not be measured are null, and so are their targets. */
export function buildReport({ quick, only = null, work, loadAtStart, stepflare, workflows, local = null, service = null, problems }) {
  const perStep = stepflare.per_step_ms ?? null;
  const wfPerStep = workflows?.per_step_ms ?? null;
  const ratio = perStep?.p50 != null && wfPerStep?.p50 ? round(perStep.p50 / wfPerStep.p50) : null;
  const single = stepflare.ingestion?.single_eps ?? null;
  const wfTotal = workflows?.run_total_ms ?? null;
  const localRatio = local?.run_total_ms?.p50 != null && wfTotal?.p50 ? round(local.run_total_ms.p50 / wfTotal.p50) : null;
  const wait = stepflare.wait_resume ?? null;
  const sleep = stepflare.sleep_lateness ?? null;
  const concurrency = stepflare.concurrency ?? null;
  const throttle = stepflare.throttle ?? null;
  const load = stepflare.load ?? null;
  const d1 = load?.d1_statements ?? null;
  return {
    generated_at: new Date().toISOString(),
    quick,
    only,
    machine: {
      cpus: os.availableParallelism(),
      cpu_model: os.cpus()[0]?.model ?? null,
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      // Other work on the machine skews every figure; these show whether there was any. The
      // bench itself keeps about 1.5–2 CPUs busy, which the load at the end includes.
      load_avg_1m_at_start: round(loadAtStart),
      load_avg_1m_at_end: round(os.loadavg()[0]),
    },
    workload: work,
    // The server's sources are copied at the start; this says from which commit, and how many
    // of their files had uncommitted changes then.
    source: stepflare.source ?? null,
    sync: stepflare.sync ?? null,
    ingestion: stepflare.ingestion ?? null,
    first_step_latency_ms: stepflare.first_step_latency_ms ?? null,
    per_step_ms: perStep,
    run_total_ms: stepflare.run_total_ms ?? null,
    app_calls: stepflare.app_calls ?? null,
    workflows_per_step_ms: wfPerStep,
    workflows_run_total_ms: workflows?.run_total_ms ?? null,
    ratio_p50: ratio,
    // The same 10-step function with the app inside stepflare's Worker (the local transport).
    local: local && { ...local, run_total_ratio_p50: localRatio },
    // ...and with the app in a Worker of its own behind a Service Binding (the service transport).
    service,
    sleep_lateness: sleep,
    concurrency,
    throttle,
    wait_resume: wait,
    load,
    targets: {
      per_step_p50_under_5ms: check(perStep?.p50, (p50) => p50 < TARGETS.perStepP50Ms),
      ratio_p50_at_most_1: check(ratio, (r) => r <= TARGETS.ratioP50),
      local_per_step_p50_at_most_1_5ms: check(local?.per_step_ms?.p50, (p50) => p50 <= TARGETS.localPerStepP50Ms),
      local_run_total_p50_at_most_half_workflows: check(localRatio, (r) => r <= TARGETS.localRunRatioP50),
      single_ingest_at_least_2000_eps: check(single, (eps) => eps >= TARGETS.singleEps),
      wait_many_p50_within_2x_of_one: check(wait?.ratio_p50, (r) => r <= WAIT_RATIO_TARGET),
      sleep_lateness_p95_under_500ms: check(sleep?.lateness_ms?.p95, (p95) => p95 < SLEEP_P95_TARGET_MS),
      concurrency_max_equals_limit: check(concurrency?.limited?.max_executing, (max) => max === CONCURRENCY_LIMIT),
      throttle_periods_within_5pct: check(throttle?.per_period?.n || null, () => throttle.all_periods_within_5pct),
      no_d1_on_hot_path: check(d1?.hot_path_per_run, (n) => n === 0),
    },
    problems,
  };
}

/** The report as a markdown table, with the machine and any problems underneath. */
export function toMarkdown(report) {
  const { ingestion: ing, targets } = report;
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
    ...localRows(report),
    ...timeRows(report),
    ...flowRows(report),
    ...loadRows(report),
  ];
  const m = report.machine;
  const lines = [
    `## stepflare bench${report.quick ? " (quick)" : ""}${report.only ? ` (only ${report.only})` : ""}`,
    "",
    "| Metric | stepflare | Workflows | Target | Met |",
    "|---|---:|---:|---|---|",
    // With --only, rows of sections that did not run are left out.
    ...rows.filter((row) => !report.only || row[1] !== "–" || !["–", "1"].includes(row[2])).map((row) => `| ${row.join(" | ")} |`),
    "",
    `${m.cpus} CPUs (${m.cpu_model}), Node ${m.node}, ${m.platform}, load ${m.load_avg_1m_at_start} at start and ` +
      `${m.load_avg_1m_at_end} at end; ` +
      `${report.generated_at}. ` +
      `App synced via ${report.sync ?? "–"}.` +
      (report.source ? ` Server sources from ${report.source.commit}, ${report.source.uncommitted_files} files changed since.` : ""),
  ];
  if (m.load_avg_1m_at_start > m.cpus / 2) {
    lines.push("", `The machine was busy when the bench started (load ${m.load_avg_1m_at_start} on ${m.cpus} CPUs): expect slower, noisier figures.`);
  }
  if (report.problems.length) lines.push("", "Problems:", ...report.problems.map((p) => `- ${p}`));
  return lines.join("\n") + "\n";
}

/** Rows for issue 10: the same 10-step function with the app in-process (local) and behind a binding (service). */
function localRows(report) {
  const { local: l, targets } = report;
  return [
    [
      "In-process app (local transport): per-step overhead, p50 / p95 (ms/step)",
      pair(l?.per_step_ms),
      pair(report.workflows_per_step_ms),
      "p50 ≤ 1.5",
      met(targets.local_per_step_p50_at_most_1_5ms),
    ],
    ["…10-step run, send → function returned, p50 / p95 (ms)", pair(l?.run_total_ms), pair(report.workflows_run_total_ms), "", ""],
    ["…10-step run p50, in-process ÷ Workflows", num(l?.run_total_ratio_p50), "1", "≤ 0.5", met(targets.local_run_total_p50_at_most_half_workflows)],
    [
      "App Worker behind a Service Binding (service transport): per-step overhead, p50 / p95 (ms/step)",
      pair(report.service?.per_step_ms),
      pair(report.workflows_per_step_ms),
      "",
      "",
    ],
    ["…10-step run, send → function returned, p50 / p95 (ms)", pair(report.service?.run_total_ms), pair(report.workflows_run_total_ms), "", ""],
  ];
}

/** Rows for issue 3: sleep lateness and waitForEvent resume latency. */
function timeRows(report) {
  const { sleep_lateness: sleep, wait_resume: wait, targets } = report;
  const waiting = wait ? `${num(wait.waiting_reached, 0)}${wait.fill_complete ? "" : ` of ${num(wait.waiting_target, 0)} (all the fill reached)`}` : "N";
  return [
    [
      `Sleep 1 s × ${sleep ? num(sleep.runs, 0) : "N"} runs at once, wake-up lateness p50 / p95 (ms)`,
      pair(sleep?.lateness_ms),
      "–",
      `p95 < ${SLEEP_P95_TARGET_MS}`,
      met(targets.sleep_lateness_p95_under_500ms),
    ],
    ["waitForEvent resume (event sent → next step), 1 run waiting, p50 / p95 (ms)", pair(wait?.one_waiting_ms), "–", "", ""],
    [`waitForEvent resume, ${waiting} runs waiting on distinct keys, p50 / p95 (ms)`, pair(wait?.many_waiting_ms), "–", "", ""],
    [
      "…many ÷ one, p50 (p95)",
      wait?.ratio_p50 == null ? "–" : `${num(wait.ratio_p50)} (${num(wait.ratio_p95)})`,
      "–",
      `p50 ≤ ${WAIT_RATIO_TARGET}`,
      met(targets.wait_many_p50_within_2x_of_one),
    ],
    [
      "…runs brought to the wait (runs/s); seconds",
      wait ? `${num(wait.fill_runs_per_s, 0)}; ${num(wait.fill_seconds, 0)}` : "–",
      "–",
      "",
      "",
    ],
  ];
}

/** Rows for issue 4: the concurrency limit and throttle accuracy. */
function flowRows(report) {
  const { concurrency: c, throttle: t, targets } = report;
  const runs = c ? `${num(c.runs, 0)} × ${c.steps_per_run}-step runs` : "N × 3-step runs";
  return [
    [
      `${runs}, \`concurrency: ${CONCURRENCY_LIMIT}\`: most steps executing at once (mean)`,
      c ? `${c.limited.max_executing} (${num(c.limited.mean_executing, 1)})` : "–",
      "–",
      `= ${CONCURRENCY_LIMIT}`,
      met(targets.concurrency_max_equals_limit),
    ],
    [
      "…runs/s with the limit / without; ratio",
      c ? `${num(c.limited.runs_per_s, 1)} / ${num(c.unlimited.runs_per_s, 1)}; ${num(c.throughput_ratio)}` : "–",
      "–",
      "",
      "",
    ],
    ["…most steps executing at once without a limit", c ? String(c.unlimited.max_executing) : "–", "–", "", ""],
    [
      t
        ? `Throttle ${t.limit}/s fed ${num(t.feed_per_s)}/s for ${num(t.feed_seconds, 0)} s: starts per 1-s period with a backlog, mean (min–max; periods)`
        : "Throttle: starts per 1-s period with a backlog, mean (min–max; periods)",
      t?.per_period?.n ? `${num(t.per_period.mean)} (${t.per_period.min}–${t.per_period.max}; ${t.per_period.n})` : "–",
      "–",
      t ? `${t.limit} ± 5%` : "± 5%",
      met(targets.throttle_periods_within_5pct),
    ],
    [
      "…most starts in any 1-s window; runs started / sent",
      t ? `${t.max_in_any_period_window}; ${num(t.started, 0)} / ${num(t.sent, 0)}` : "–",
      "–",
      "",
      "",
    ],
  ];
}

/** Rows for issue 9: the load run's throughput and D1 statements on the hot path. */
function loadRows(report) {
  const { load: l, targets } = report;
  const d1 = l?.d1_statements;
  const runs = l ? `${num(l.runs_completed, 0)} of ${num(l.runs, 0)} × ${l.steps_per_run}-step runs` : "N × 3-step runs";
  return [
    [`Load run, ${runs}: events accepted/s; runs/s sustained (first send → last run returned)`, l ? `${num(l.ingest_events_per_s, 0)}; ${num(l.runs_per_s, 1)}` : "–", "–", "", ""],
    [
      "…D1 statements per event ingested / routed (sent and end events); per run started; per step completed",
      d1 ? `${num(d1.per_event_ingested, 3)} / ${num(d1.routing_per_event, 3)}; ${num(d1.per_run_started, 3)}; ${num(d1.per_step_completed, 3)}` : "–",
      "–",
      "0",
      "",
    ],
    ["…D1 statements on the hot path per run, all told", d1 ? num(d1.hot_path_per_run, 3) : "–", "–", "0", met(targets.no_d1_on_hot_path)],
  ];
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

/** A target's cell: met, missed, or not checked. */
function met(ok) {
  return ok === null ? "–" : ok ? "yes" : "**no**";
}

function num(value, digits = 2) {
  return value == null ? "–" : value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

function pair(summary) {
  return summary?.p50 == null ? "–" : `${num(summary.p50)} / ${num(summary.p95)}`;
}

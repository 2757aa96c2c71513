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
 * Targets from the issues: per-step p50 at most 3 ms, event → first step p50 at most 15 ms, a
 * 10-step run no slower than the Workflow, 2,000 single-event requests/s and 20,000 events/s in
 * 100-event batches, and in-process per-step p50 at most 1.5 ms and a 10-step run at most half
 * the Workflow's (issue 10); resume with many runs waiting within 2× of one waiting, 1 s sleeps
 * late by under 500 ms at p95 (issue 3); concurrency peak equal to the limit, throttle periods
 * within 5% (issue 4); no D1 statement per event, run or step on the hot path (issue 9).
 */
const TARGETS = { perStepP50Ms: 3, firstStepP50Ms: 15, ratioP50: 1.0, singleEps: 2_000, batchedEps: 20_000, localPerStepP50Ms: 1.5, localRunRatioP50: 0.5 };

/** `test(value)` when `value` was measured, else null (the target was not checked). */
function check(value, test) {
  return value === null || value === undefined ? null : test(value);
}

/** The JSON report; figures that could not be measured are null, and so are their targets. */
export function buildReport({ quick, only = null, work, loadAtStart, stepflare, workflows, local = null, service = null, problems }) {
  const perStep = stepflare.per_step_ms ?? null;
  const wfPerStep = workflows?.per_step_ms ?? null;
  const ratio = perStep?.p50 != null && wfPerStep?.p50 ? round(perStep.p50 / wfPerStep.p50) : null;
  const runTotal = stepflare.run_total_ms ?? null;
  const wfRunTotal = workflows?.run_total_ms ?? null;
  const runRatio = runTotal?.p50 != null && wfRunTotal?.p50 ? round(runTotal.p50 / wfRunTotal.p50) : null;
  const firstStep = stepflare.first_step_latency_ms ?? null;
  const single = stepflare.ingestion?.single_eps ?? null;
  const wfTotal = workflows?.run_total_ms ?? null;
  const localRatio = local?.run_total_ms?.p50 != null && wfTotal?.p50 ? round(local.run_total_ms.p50 / wfTotal.p50) : null;
  const batched = stepflare.ingestion?.batched_eps ?? null;
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
    ingestion_breakdown: stepflare.ingestion_breakdown ?? null,
    first_step_latency_ms: firstStep,
    first_step_breakdown: stepflare.first_step_breakdown ?? null,
    per_step_ms: perStep,
    step_breakdown: stepflare.step_breakdown ?? null,
    run_total_ms: runTotal,
    app_calls: stepflare.app_calls ?? null,
    workflows_per_step_ms: wfPerStep,
    workflows_run_total_ms: wfRunTotal,
    ratio_p50: ratio,
    // The same 10-step function with the app inside stepflare's Worker (the local transport).
    local: local && { ...local, run_total_ratio_p50: localRatio },
    // ...and with the app in a Worker of its own behind a Service Binding (the service transport).
    service,
    run_ratio_p50: runRatio,
    sleep_lateness: sleep,
    concurrency,
    throttle,
    wait_resume: wait,
    load,
    targets: {
      per_step_p50_at_most_3ms: check(perStep?.p50, (p50) => p50 <= TARGETS.perStepP50Ms),
      first_step_p50_at_most_15ms: check(firstStep?.p50, (p50) => p50 <= TARGETS.firstStepP50Ms),
      ratio_p50_at_most_1: check(ratio, (r) => r <= TARGETS.ratioP50),
      local_per_step_p50_at_most_1_5ms: check(local?.per_step_ms?.p50, (p50) => p50 <= TARGETS.localPerStepP50Ms),
      local_run_total_p50_at_most_half_workflows: check(localRatio, (r) => r <= TARGETS.localRunRatioP50),
      run_ratio_p50_at_most_1: check(runRatio, (r) => r <= TARGETS.ratioP50),
      single_ingest_at_least_2000_eps: check(single, (eps) => eps >= TARGETS.singleEps),
      batched_ingest_at_least_20000_eps: check(batched, (eps) => eps >= TARGETS.batchedEps),
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
    [
      `Ingestion, ${report.workload.batchSize} events/request (events/s)`,
      num(ing?.batched_eps, 0),
      "–",
      "≥ 20,000",
      met(targets.batched_ingest_at_least_20000_eps),
    ],
    [
      "Server CPU (dev server's process group) per request: /health; 1 event/request (ms)",
      `${num(ing?.health_server_cpu_ms_per_request, 3)}; ${num(ing?.single_server_cpu_ms_per_request, 3)}`,
      "–",
      "",
      "",
    ],
    [`Server CPU per event, ${report.workload.batchSize} events/request (ms)`, num(ing?.batched_server_cpu_ms_per_event, 3), "–", "", ""],
    ["Queue worked through single-event burst (events/s)", num(ing?.single_drained_eps, 0), "–", "", ""],
    ["Queue worked through batched burst (events/s)", num(ing?.batched_drained_eps, 0), "–", "", ""],
    ["Event → first step, p50 / p95 (ms)", pair(report.first_step_latency_ms), "–", "p50 ≤ 15", met(targets.first_step_p50_at_most_15ms)],
    [
      "Per-step overhead, 10-step function, p50 / p95 (ms/step)",
      pair(report.per_step_ms),
      pair(report.workflows_per_step_ms),
      "p50 ≤ 3",
      met(targets.per_step_p50_at_most_3ms),
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
    ["10-step run p50, stepflare ÷ Workflows", num(report.run_ratio_p50), "1", "≤ 1.0", met(targets.run_ratio_p50_at_most_1)],
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
  lines.push(...breakdownLines(report));
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
    ["…runs brought to the wait (runs/s); seconds", wait ? `${num(wait.fill_runs_per_s, 0)}; ${num(wait.fill_seconds, 0)}` : "–", "–", "", ""],
    [
      "…waited for the server to go idle before timing, 1 / many waiting (s)",
      wait?.server_idle_wait_s ? `${num(wait.server_idle_wait_s.one_waiting_s)} / ${num(wait.server_idle_wait_s.many_waiting_s)}` : "–",
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
    ["…most starts in any 1-s window; runs started / sent", t ? `${t.max_in_any_period_window}; ${num(t.started, 0)} / ${num(t.sent, 0)}` : "–", "–", "", ""],
  ];
}

/** Rows for issue 9: the load run's throughput and D1 statements on the hot path. */
function loadRows(report) {
  const { load: l, targets } = report;
  const d1 = l?.d1_statements;
  const runs = l ? `${num(l.runs_completed, 0)} of ${num(l.runs, 0)} × ${l.steps_per_run}-step runs` : "N × 3-step runs";
  return [
    [
      `Load run, ${runs}: events accepted/s; runs/s sustained (first send → last run returned)`,
      l ? `${num(l.ingest_events_per_s, 0)}; ${num(l.runs_per_s, 1)}` : "–",
      "–",
      "",
      "",
    ],
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

/**
 * The floors measured beside the SDK's checkpoints (checkpoint-floors.mjs), and what they leave
 * of the SDK's wait: the durable write.
 */
function floorLines(floors, rtt) {
  if (!floors) return [];
  const write = rtt ? num(rtt.mean - floors.no_write_checkpoint_ms) : "–";
  return [
    `Measured beside it with the SDK's client (Node's fetch), one request at a time, means of ${num(floors.n, 0)}:`,
    `\`GET /health\` ${num(floors.health_ms)} ms (loopback HTTP, workerd, the Worker's entry and routing);`,
    `a checkpoint of one step for a run that does not exist ${num(floors.no_write_checkpoint_ms)} ms (adds the body, its validation and the RPC to the run's object; answered 409, nothing written).`,
    `The SDK's checkpoint less that, ${write} ms, is the step's durable write (the SQLite transaction and its commit).`,
  ];
}

/**
 * Where the time goes (issue 10): for each timed section, the client's view (what the SDK or the
 * app saw) and the server's phases (src/metering/phase-timing.ts), p50 and mean in ms, in the
 * order the work happens. Phases of one path run one after another unless their name says
 * otherwise (`do.*` inside the RPC, `routing.start_run` per run, beside `routing.waits`).
 */
function breakdownLines(report) {
  const sections = [];
  const step = report.step_breakdown;
  if (step?.server_phases) {
    const rtt = step.checkpoint_rtt_ms;
    const phases = step.server_phases;
    const handler = phases["checkpoint.handler"]?.mean;
    sections.push([
      "Per step: the SDK's `POST /v1/checkpoint/:runId/async`",
      [
        `Per step p50 ${num(report.per_step_ms?.p50)} ms. The SDK waited ${rtt ? num(rtt.mean) : "–"} ms (mean of ${rtt ? num(rtt.n, 0) : "–"}) for each checkpoint answer;`,
        "the rest of a step is the SDK between one answer and the next request (step code, memoising, building the request).",
        `Of the wait, ${num(handler)} ms (mean) is the Worker's handler and ${rtt && handler != null ? num(rtt.mean - handler) : "–"} ms is outside it`,
        "(loopback HTTP, workerd taking the request and sending the answer, the SDK's fetch).",
        `Inside the RPC, ${num(gap(phases, "checkpoint.rpc", "checkpoint.do."))} ms (mean) is not the object's own code:`,
        "the wait for the step's SQLite write to be durable (the platform holds the answer until then) and the RPC hop.",
        ...floorLines(step.floors, rtt),
      ],
      phases,
    ]);
  }
  const first = report.first_step_breakdown;
  if (first?.server_phases) {
    const phases = first.server_phases;
    sections.push([
      "Event → first step",
      [
        `p50 ${num(report.first_step_latency_ms?.p50)} ms, of which the app (the server's call reaching it → step code) p50 ${num(first.app_ms?.p50)} ms.`,
        "The path: the ingest request (`ingest.*`), the Queue (`routing.queue_wait`: sent → consumer batch), routing (`routing.*`;",
        "`routing.start_run` is the RunObject.start RPC, beside `routing.waits`), then the run's first call (`run.*`).",
        `Commit waits and RPC hops (RPC minus the object's own code, means): event shard ${num(gap(phases, "ingest.shards", "ingest.shard."))} ms,`,
        `run start ${num(gap(phases, "routing.start_run", "run.start."))} ms.`,
      ],
      phases,
    ]);
  }
  const ing = report.ingestion_breakdown;
  const ingestNotes = (phases) => [
    `Event shard RPC minus the shard's own code (its commit wait and the hop), mean: ${num(gap(phases, "ingest.shards", "ingest.shard."))} ms.`,
    "`ingest.count.*` are counts, not ms: events per event shard call and messages per Queue send, as concurrent requests were grouped.",
  ];
  if (ing?.single_phases) sections.push(["Ingestion, 1 event/request", ingestNotes(ing.single_phases), ing.single_phases]);
  if (ing?.batched_phases) sections.push([`Ingestion, ${report.workload.batchSize} events/request`, ingestNotes(ing.batched_phases), ing.batched_phases]);
  if (sections.length === 0) return [];
  const lines = ["", "### Where the time goes (server phases, ms)"];
  for (const [title, notes, phases] of sections) {
    lines.push("", `**${title}.** ${notes.join(" ")}`, "", "| Phase | p50 | mean | p95 | n |", "|---|---:|---:|---:|---:|");
    for (const [name, p] of Object.entries(phases)) lines.push(`| ${name} | ${num(p.p50, 3)} | ${num(p.mean, 3)} | ${num(p.p95, 3)} | ${num(p.n, 0)} |`);
  }
  return lines;
}

/**
 * The mean of phase `outer` less the means of the phases under `innerPrefix` that run inside it
 * (an RPC less the object's own code: the commit wait and the hop); null when either is missing.
 * Per call: a batched request's shard calls are summed over the shards of one request.
 */
function gap(phases, outer, innerPrefix) {
  const total = phases[outer];
  const inner = Object.entries(phases).filter(([name]) => name.startsWith(innerPrefix));
  if (!total || inner.length === 0) return null;
  const innerCalls = inner[0][1].n;
  const innerPerCall = inner.reduce((sum, [, p]) => sum + p.mean, 0);
  // Calls inside one outer phase run in parallel (shards of one request): count each outer once.
  return total.mean - innerPerCall * Math.min(1, innerCalls / total.n);
}

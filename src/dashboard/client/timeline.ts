/**
 * A run drawn as a waterfall, the way traces are read: one row for the run (queue delay, then
 * execution) and one per step on a shared time axis. Sleeps, waits and invokes are hatched spans;
 * a step's row opens to show its details (step-detail.ts).
 * @module
 */
import { h } from "./dom";
import { duration } from "./format";
import { isEnded, type PageRun, type PageStep } from "./from-api";
import { go } from "./router";
import { opName, stepDetail, type StepSpan } from "./step-detail";

/** Ops that wait rather than run code. */
const WAIT_OPS = new Set(["Sleep", "WaitForEvent", "InvokeFunction", "WaitForSignal"]);

/** What the waterfall keeps across refreshes and does on a click. */
export interface WaterfallOptions {
  /** The ids of the steps whose details are shown. */
  open: Set<string>;
  /** Draws the page again (after a row opened or closed). */
  redraw: () => void;
  /** Adds a "Rerun from this step" button to each step's details. */
  onRerunFrom?: (step: PageStep) => void;
}

/** A step's span on the axis; a step the run left unfinished ends where the run did. */
function spanOf(step: PageStep, run: PageRun, now: number): StepSpan {
  const start = step.started_at ?? run.started_at ?? run.queued_at;
  const end = step.ended_at ?? (isEnded(run) ? run.ended_at! : now);
  const status = step.ended_at === null && isEnded(run) ? run.status : step.status;
  return { start, end: Math.max(end, start), status, unfinished: step.ended_at === null };
}

function bar(left: number, width: number, cls: string, label: string | null, title: string): HTMLDivElement {
  return h("div", { class: "wf-bar " + cls, style: "left:" + left + "%;width:" + width + "%", title }, label ? h("span", { class: "lbl" }, label) : null);
}

function axisRow(total: number): HTMLDivElement {
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => h("span", { style: "left:" + f * 100 + "%" }, f === 0 ? "0" : duration(total * f)));
  return h(
    "div",
    { class: "wf-axis" },
    h("div", { class: "wf-label" }, "Step"),
    h("div", { class: "ticks" }, ticks),
    h("div", { class: "wf-dur" }, "Duration"),
  );
}

function gridLines(): HTMLDivElement[] {
  return [0.25, 0.5, 0.75].map((f) => h("div", { class: "wf-grid", style: "left:" + f * 100 + "%" }));
}

function stepLabel(step: PageStep): HTMLDivElement {
  return h(
    "div",
    { class: "wf-label", title: step.name },
    step.name,
    h("span", { class: "op" }, opName(step.op)),
    step.attempts > 1 ? h("span", { class: "op" }, "× " + step.attempts + " attempts") : null,
    step.invoked_run_id
      ? h(
          "a",
          {
            class: "op",
            href: "/runs/" + step.invoked_run_id,
            "data-link": "1",
            "data-invoked": step.invoked_run_id,
            // Opens the child run without also toggling this row's details.
            onclick: (e) => {
              e.preventDefault();
              e.stopPropagation();
              go("/runs/" + step.invoked_run_id);
            },
          },
          "→ invoked run",
        )
      : null,
  );
}

function legend(): HTMLDivElement {
  return h(
    "div",
    { class: "legend" },
    h("span", null, h("i", { style: "background:#fde68a" }), "queued"),
    h("span", null, h("i", { style: "background:var(--completed)" }), "completed"),
    h("span", null, h("i", { style: "background:var(--running)" }), "running"),
    h("span", null, h("i", { style: "background:#f59e0b" }), "attempt failed, retrying"),
    h("span", null, h("i", { style: "background:var(--failed)" }), "failed"),
    h("span", null, h("i", { class: "wf-bar wait", style: "position:static;display:inline-block" }), "sleep / wait / invoke"),
  );
}

/** The waterfall element of `run` and its `steps`. */
export function waterfall(run: PageRun, steps: PageStep[], options: WaterfallOptions): HTMLDivElement {
  const now = Date.now();
  const spans = steps.map((s) => spanOf(s, run, now));
  const runEnd = isEnded(run) ? run.ended_at! : now;
  const t0 = run.queued_at;
  const t1 = Math.max(runEnd, t0 + 1, ...spans.map((s) => s.end));
  const total = t1 - t0;
  const pct = (t: number) => ((t - t0) / total) * 100;
  const width = (a: number, b: number) => Math.max(pct(b) - pct(a), 0.3);

  const started = run.started_at ?? runEnd;
  const runRow = h(
    "div",
    { class: "wf-row run" },
    h("div", { class: "wf-label" }, h("b", null, "Run"), h("span", { class: "op" }, run.function_name)),
    h(
      "div",
      { class: "wf-track" },
      gridLines(),
      bar(0, width(t0, started), "queued", null, "queued for " + duration(started - t0)),
      bar(pct(started), width(started, runEnd), run.status + (isEnded(run) ? "" : " unfinished"), null, run.status),
    ),
    h("div", { class: "wf-dur" }, duration(runEnd - t0)),
  );

  const rows = steps.flatMap((step, i) => {
    const span = spans[i]!;
    const waiting = WAIT_OPS.has(step.op);
    const label =
      !span.unfinished || isEnded(run) ? null : waiting ? (step.op === "Sleep" ? "sleeping…" : "waiting…") : step.status === "errored" ? "retrying…" : null;
    const cls = (waiting ? "wait" : span.status) + (span.unfinished ? " unfinished" : "");
    const toggle = () => {
      if (options.open.has(step.step_id)) options.open.delete(step.step_id);
      else options.open.add(step.step_id);
      options.redraw();
    };
    const row = h(
      "div",
      { class: "wf-row step" + (options.open.has(step.step_id) ? " open" : ""), "data-step": step.name, onclick: toggle },
      stepLabel(step),
      h("div", { class: "wf-track" }, gridLines(), bar(pct(span.start), width(span.start, span.end), cls, label, span.status)),
      h("div", { class: "wf-dur" }, duration(span.end - span.start)),
    );
    return options.open.has(step.step_id) ? [row, stepDetail(step, span, run, options.onRerunFrom)] : [row];
  });

  return h(
    "div",
    null,
    h("div", { class: "waterfall" }, axisRow(total), runRow, rows.length ? rows : h("div", { class: "empty small" }, "No steps recorded yet.")),
    legend(),
  );
}

/**
 * A step's details under its waterfall row: status, kind, attempts and timing, each failed
 * attempt's error, its output, and "Rerun from this step".
 * @module
 */
import { h, jsonBlock, link, pill } from "./dom";
import { errorBox } from "./error-box";
import { duration, formatTime } from "./format";
import { isEnded, type PageRun, type PageStep } from "./from-api";

/** Where a step sits on the waterfall's axis (ms) and how it ended. */
export interface StepSpan {
  start: number;
  end: number;
  status: string;
  /** The step had not ended when the run was read. */
  unfinished: boolean;
}

/** How each op is named: the SDK call that made it. */
const OP_NAMES: Record<string, string> = {
  StepRun: "step.run",
  Step: "step.run",
  StepPlanned: "step.run",
  StepError: "step.run",
  StepFailed: "step.run",
  Gateway: "step.fetch",
  AIGateway: "step.ai",
  Sleep: "sleep",
  WaitForEvent: "waitForEvent",
  InvokeFunction: "invoke",
  WaitForSignal: "waitForSignal",
};

/** The SDK call an op comes from; the op itself when it is not one of those. */
export function opName(op: string): string {
  return OP_NAMES[op] || op;
}

/** Each failed attempt's error, oldest first; history keeps the newest few when there were many. */
function attemptErrors(step: PageStep): HTMLDivElement | null {
  const list = step.attempt_errors || [];
  if (list.length === 0) return null;
  const dropped = list[0]!.attempt - 1;
  return h(
    "div",
    { class: "attempts" },
    h("h2", null, "Failed attempts"),
    dropped > 0 ? h("div", { class: "muted small" }, dropped + " earlier attempt" + (dropped > 1 ? "s" : "") + " not kept") : null,
    list.map((a, i) =>
      h(
        "div",
        { class: "attempt" + (i === list.length - 1 && step.status === "failed" ? " last" : ""), "data-attempt": a.attempt },
        h("b", null, "Attempt " + a.attempt),
        " ",
        h("span", { class: "muted small" }, formatTime(a.at)),
        h("br"),
        h("span", { class: "mono small" }, (a.error.name || "Error") + ": " + (a.error.message || "")),
      ),
    ),
  );
}

/** The details of `step`, drawn as `span`; with `onRerunFrom`, an ended run's step offers a rerun from it. */
export function stepDetail(step: PageStep, span: StepSpan, run: PageRun, onRerunFrom?: (step: PageStep) => void): HTMLDivElement {
  const error = step.error;
  const attempts = attemptErrors(step);
  return h(
    "div",
    { class: "wf-detail", "data-detail": step.step_id },
    h(
      "div",
      { class: "meta" },
      h("div", null, h("span", null, "Status"), pill(span.status)),
      h("div", null, h("span", null, "Kind"), opName(step.op)),
      h("div", null, h("span", null, "Attempts"), String(Math.max(step.attempts, span.unfinished ? 0 : 1))),
      h("div", null, h("span", null, "Started"), formatTime(step.started_at)),
      h("div", null, h("span", null, "Ended"), formatTime(step.ended_at)),
      h("div", null, h("span", null, "Duration"), duration(span.end - span.start)),
      h("div", null, h("span", null, "Step ID"), h("span", { class: "mono small" }, step.step_id)),
      step.invoked_run_id ? h("div", null, h("span", null, "Invoked run"), link("/runs/" + step.invoked_run_id, step.invoked_run_id)) : null,
    ),
    attempts,
    // The list already shows the final failure; a step still retrying shows its latest error here.
    error && !attempts ? errorBox(error) : null,
    step.status === "completed" ? [h("h2", null, "Output"), jsonBlock(step.output)] : null,
    onRerunFrom && isEnded(run) ? h("div", { class: "toolbar" }, h("button", { onclick: () => onRerunFrom(step) }, "Rerun from this step")) : null,
  );
}

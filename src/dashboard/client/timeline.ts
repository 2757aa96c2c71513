/**
 * Browser code drawing a run as a waterfall, the way traces are read: one row for the run (queue
 * delay, then execution) and one per step on a shared time axis. Sleeps, waits and invokes are
 * hatched spans; a step's row opens to show its attempts, timing, output and error.
 * @module
 */

/** Defines `waterfall(run, steps, options)`. */
export const TIMELINE_JS = String.raw`
/** Ops that wait rather than run code, and how to name them. */
const WAIT_OPS = { Sleep: "sleep", WaitForEvent: "waitForEvent", InvokeFunction: "invoke", WaitForSignal: "waitForSignal" };
const OP_NAMES = Object.assign({ StepRun: "step.run", Step: "step.run", StepPlanned: "step.run", StepError: "step.run",
  StepFailed: "step.run", Gateway: "step.fetch", AIGateway: "step.ai" }, WAIT_OPS);

function isEnded(run) {
  return run.status === "completed" || run.status === "failed" || run.status === "cancelled";
}

/** A step's span on the axis; a step the run left unfinished ends where the run did. */
function spanOf(step, run, now) {
  const start = step.started_at ?? run.started_at ?? run.queued_at;
  const end = step.ended_at ?? (isEnded(run) ? run.ended_at : now);
  const status = step.ended_at === null && isEnded(run) ? run.status : step.status;
  return { start, end: Math.max(end, start), status, unfinished: step.ended_at === null };
}

function bar(left, width, cls, label, title) {
  return h("div", { class: "wf-bar " + cls, style: "left:" + left + "%;width:" + width + "%", title },
    label ? h("span", { class: "lbl" }, label) : null);
}

function axisRow(total) {
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => h("span", { style: "left:" + f * 100 + "%" }, f === 0 ? "0" : duration(total * f)));
  return h("div", { class: "wf-axis" }, h("div", { class: "wf-label" }, "Step"), h("div", { class: "ticks" }, ticks), h("div", { class: "wf-dur" }, "Duration"));
}

function gridLines() {
  return [0.25, 0.5, 0.75].map((f) => h("div", { class: "wf-grid", style: "left:" + f * 100 + "%" }));
}

function errorBox(error) {
  return h("div", { class: "error-box" }, h("b", null, (error.name || "Error") + ": "), error.message || "",
    error.stack ? h("pre", { class: "small", style: "margin-top:6px" }, error.stack) : null);
}

/** Each failed attempt's error, oldest first; history keeps the newest few when there were many. */
function attemptErrors(step) {
  const list = step.attempt_errors || [];
  if (list.length === 0) return null;
  const dropped = list[0].attempt - 1;
  return h("div", { class: "attempts" },
    h("h2", null, "Failed attempts"),
    dropped > 0 ? h("div", { class: "muted small" }, dropped + " earlier attempt" + (dropped > 1 ? "s" : "") + " not kept") : null,
    list.map((a, i) => h("div", { class: "attempt" + (i === list.length - 1 && step.status === "failed" ? " last" : ""), "data-attempt": a.attempt },
      h("b", null, "Attempt " + a.attempt), " ", h("span", { class: "muted small" }, formatTime(a.at)), h("br"),
      h("span", { class: "mono small" }, (a.error.name || "Error") + ": " + (a.error.message || "")))));
}

function stepDetail(step, span, run, options) {
  const error = step.error;
  const attempts = attemptErrors(step);
  return h("div", { class: "wf-detail", "data-detail": step.step_id },
    h("div", { class: "meta" },
      h("div", null, h("span", null, "Status"), pill(span.status)),
      h("div", null, h("span", null, "Kind"), OP_NAMES[step.op] || step.op),
      h("div", null, h("span", null, "Attempts"), String(Math.max(step.attempts, span.unfinished ? 0 : 1))),
      h("div", null, h("span", null, "Started"), formatTime(step.started_at)),
      h("div", null, h("span", null, "Ended"), formatTime(step.ended_at)),
      h("div", null, h("span", null, "Duration"), duration(span.end - span.start)),
      h("div", null, h("span", null, "Step ID"), h("span", { class: "mono small" }, step.step_id)),
      step.invoked_run_id ? h("div", null, h("span", null, "Invoked run"), link("/runs/" + step.invoked_run_id, step.invoked_run_id)) : null),
    attempts,
    // The list already shows the final failure; a step still retrying shows its latest error here.
    error && !attempts ? errorBox(error) : null,
    step.status === "completed" ? [h("h2", null, "Output"), jsonBlock(step.output)] : null,
    options.onRerunFrom && isEnded(run)
      ? h("div", { class: "toolbar" }, h("button", { onclick: () => options.onRerunFrom(step) }, "Rerun from this step"))
      : null);
}

function stepLabel(step) {
  return h("div", { class: "wf-label", title: step.name },
    step.name, h("span", { class: "op" }, OP_NAMES[step.op] || step.op),
    step.attempts > 1 ? h("span", { class: "op" }, "× " + step.attempts + " attempts") : null,
    step.invoked_run_id ? h("a", { class: "op", href: "/runs/" + step.invoked_run_id, "data-link": "1", "data-invoked": step.invoked_run_id,
      // Opens the child run without also toggling this row's details.
      onclick: (e) => { e.preventDefault(); e.stopPropagation(); go("/runs/" + step.invoked_run_id); } }, "→ invoked run") : null);
}

/**
 * The waterfall element. options.open is a Set of step ids whose details are shown (kept across
 * refreshes); options.onRerunFrom(step) adds a rerun button to each step's details.
 */
function waterfall(run, steps, options) {
  const now = Date.now();
  const spans = steps.map((s) => spanOf(s, run, now));
  const t0 = run.queued_at;
  const t1 = Math.max(isEnded(run) ? run.ended_at : now, t0 + 1, ...spans.map((s) => s.end));
  const total = t1 - t0;
  const pct = (t) => ((t - t0) / total) * 100;
  const width = (a, b) => Math.max(pct(b) - pct(a), 0.3);

  const started = run.started_at ?? (isEnded(run) ? run.ended_at : now);
  const runEnd = isEnded(run) ? run.ended_at : now;
  const runRow = h("div", { class: "wf-row run" },
    h("div", { class: "wf-label" }, h("b", null, "Run"), h("span", { class: "op" }, run.function_name)),
    h("div", { class: "wf-track" }, gridLines(),
      bar(0, width(t0, started), "queued", null, "queued for " + duration(started - t0)),
      bar(pct(started), width(started, runEnd), run.status + (isEnded(run) ? "" : " unfinished"), null, run.status)),
    h("div", { class: "wf-dur" }, duration(runEnd - t0)));

  const rows = steps.flatMap((step, i) => {
    const span = spans[i];
    const waiting = step.op in WAIT_OPS;
    const label = !span.unfinished || isEnded(run) ? null
      : waiting ? (step.op === "Sleep" ? "sleeping…" : "waiting…")
      : step.status === "errored" ? "retrying…" : null;
    const cls = (waiting ? "wait" : span.status) + (span.unfinished ? " unfinished" : "");
    const row = h("div", { class: "wf-row step" + (options.open.has(step.step_id) ? " open" : ""), "data-step": step.name,
        onclick: () => { options.open.has(step.step_id) ? options.open.delete(step.step_id) : options.open.add(step.step_id); options.redraw(); } },
      stepLabel(step),
      h("div", { class: "wf-track" }, gridLines(), bar(pct(span.start), width(span.start, span.end), cls, label, span.status)),
      h("div", { class: "wf-dur" }, duration(span.end - span.start)));
    return options.open.has(step.step_id) ? [row, stepDetail(step, span, run, options)] : [row];
  });

  return h("div", null,
    h("div", { class: "waterfall" }, axisRow(total), runRow, rows.length ? rows : h("div", { class: "empty small" }, "No steps recorded yet.")),
    h("div", { class: "legend" },
      h("span", null, h("i", { style: "background:#fde68a" }), "queued"),
      h("span", null, h("i", { style: "background:var(--completed)" }), "completed"),
      h("span", null, h("i", { style: "background:var(--running)" }), "running"),
      h("span", null, h("i", { style: "background:#f59e0b" }), "attempt failed, retrying"),
      h("span", null, h("i", { style: "background:var(--failed)" }), "failed"),
      h("span", null, h("i", { class: "wf-bar wait", style: "position:static;display:inline-block" }), "sleep / wait / invoke")));
}
`;

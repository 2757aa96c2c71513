/**
 * A run's page (`/runs/:id`): status and timings, the waterfall, output or error, the trigger
 * event, and the actions cancel, rerun and rerun from a step.
 * @module
 */
import { api } from "./api";
import type { DataBody, RunDetail } from "./api-types";
import { append, fill, h, jsonBlock, link, messageOf, pill } from "./dom";
import { errorBox } from "./error-box";
import { duration, formatTime } from "./format";
import { fromApiRun, fromApiStep, isEnded, type PageRun, type PageStep } from "./from-api";
import { toast } from "./overlay";
import { go, type Refresh } from "./router";
import { waterfall } from "./timeline";

/** A run's detail as the page draws it: times in ms, and how to load it again. */
type PageDetail = Omit<RunDetail, "run" | "steps"> & { run: PageRun; steps: PageStep[]; reload: () => Promise<void> };

function runActions(run: PageRun, reload: () => Promise<void>): HTMLDivElement {
  const cancel = async () => {
    if (!confirm("Cancel this run? Steps already running finish; nothing after them starts.")) return;
    cancelButton.disabled = true;
    try {
      const { data } = await api<DataBody<{ cancelled: boolean }>>("/v1/runs/" + run.run_id, { method: "DELETE" });
      toast(data.cancelled ? "Run cancelled." : "The run had already ended.");
    } catch (err) {
      toast("Cancel failed: " + messageOf(err));
    }
    await reload();
  };
  const cancelButton = h("button", { class: "danger", onclick: cancel }, "Cancel run");
  const rerun = () => rerunFrom(run, undefined);
  return h("div", { class: "toolbar" }, isEnded(run) ? null : cancelButton, h("button", { onclick: rerun }, "Rerun"));
}

async function rerunFrom(run: PageRun, step: PageStep | undefined): Promise<void> {
  try {
    const body = step ? { from_step: step.step_id } : {};
    const { data } = await api<DataBody<{ run_id: string }>>("/v0/runs/" + run.run_id + "/rerun", { method: "POST", body });
    toast(step ? "Rerunning from " + step.name + "." : "Rerun started.");
    go("/runs/" + data.run_id);
  } catch (err) {
    toast("Rerun failed: " + messageOf(err));
  }
}

function rerunOf(detail: PageDetail): HTMLDivElement | null {
  const of = detail.rerun_of;
  if (!of) return null;
  return h(
    "div",
    null,
    h("span", null, "Rerun of"),
    link("/runs/" + of.run_id, of.run_id),
    of.from_step ? h("div", { class: "muted small" }, "from step " + (of.from_step_name || of.from_step) + "; earlier steps reused their results") : null,
  );
}

function runHeader(detail: PageDetail): HTMLDivElement {
  const run = detail.run;
  const started = run.started_at;
  return h(
    "div",
    { class: "panel" },
    h(
      "div",
      { class: "toolbar", style: "margin:0" },
      h("div", { class: "grow" }, h("h1", null, run.function_name, " ", pill(run.status)), h("div", { class: "muted mono small" }, run.run_id)),
      runActions(run, detail.reload),
    ),
    h(
      "div",
      { class: "meta" },
      h("div", null, h("span", null, "Triggered by"), run.event_name ? link("/events/" + run.event_id, run.event_name) : "—"),
      detail.invoked_by
        ? h(
            "div",
            { "data-invoked-by": detail.invoked_by.run_id },
            h("span", null, "Invoked by"),
            link("/runs/" + detail.invoked_by.run_id, detail.invoked_by.run_id),
          )
        : null,
      h("div", null, h("span", null, "Queued"), formatTime(run.queued_at)),
      h("div", null, h("span", null, "Started"), formatTime(started)),
      h("div", null, h("span", null, "Ended"), formatTime(run.ended_at)),
      h("div", null, h("span", null, "Queue delay"), started ? duration(started - run.queued_at) : "—"),
      h("div", null, h("span", null, "Duration"), run.ended_at ? duration(run.ended_at - (started || run.queued_at)) : "running…"),
      rerunOf(detail),
      detail.reruns.length
        ? h(
            "div",
            null,
            h("span", null, "Reruns"),
            detail.reruns.map((r) => h("div", null, link("/runs/" + r.run_id, r.run_id))),
          )
        : null,
    ),
  );
}

function runResult(run: PageRun): HTMLElement[] | null {
  if (run.status === "completed") return [h("h2", null, "Output"), jsonBlock(run.output)];
  if (run.error) return [h("h2", null, run.status === "cancelled" ? "Cancelled" : "Error"), errorBox(run.error)];
  return null;
}

/** Renders a run's page. */
export async function renderRun(main: HTMLElement, match: RegExpExecArray): Promise<Refresh> {
  const runId = decodeURIComponent(match[1]!);
  const open = new Set<string>();
  const body = h("div");
  let detail: PageDetail | null = null;

  function draw() {
    const shown = detail!;
    const run = shown.run;
    fill(
      body,
      runHeader(shown),
      h("h2", null, "Timeline"),
      waterfall(run, shown.steps, { open, redraw: draw, onRerunFrom: (step) => void rerunFrom(run, step) }),
      runResult(run),
      shown.event ? [h("h2", null, "Trigger event"), jsonBlock(shown.event)] : null,
    );
  }

  async function load() {
    const { data } = await api<DataBody<RunDetail>>("/v0/runs/" + encodeURIComponent(runId));
    detail = { ...data, run: fromApiRun(data.run), steps: data.steps.map(fromApiStep), reload: load };
    draw();
  }

  append(main, [h("div", { class: "small" }, link("/runs", "← All runs")), body]);
  await load();
  // An ended run changes only through the actions above, which reload it themselves.
  return () => (isEnded(detail!.run) ? Promise.resolve() : load());
}

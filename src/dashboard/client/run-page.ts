/**
 * Browser code for a run's page (`/runs/:id`): status and timings, the waterfall, output or
 * error, the trigger event, and the actions cancel, rerun and rerun from a step.
 * @module
 */

/** Registers the run page. */
export const RUN_PAGE_JS = String.raw`
function runActions(run, reload) {
  const cancel = async (e) => {
    if (!confirm("Cancel this run? Steps already running finish; nothing after them starts.")) return;
    e.target.disabled = true;
    try {
      const { data } = await api("/v1/runs/" + run.run_id, { method: "DELETE" });
      toast(data.cancelled ? "Run cancelled." : "The run had already ended.");
    } catch (err) {
      toast("Cancel failed: " + err.message);
    }
    await reload();
  };
  const rerun = () => rerunFrom(run, undefined);
  return h("div", { class: "toolbar" },
    isEnded(run) ? null : h("button", { class: "danger", onclick: cancel }, "Cancel run"),
    h("button", { onclick: rerun }, "Rerun"));
}

async function rerunFrom(run, step) {
  try {
    const body = step ? { from_step: step.step_id } : {};
    const { data } = await api("/v0/runs/" + run.run_id + "/rerun", { method: "POST", body });
    toast(step ? "Rerunning from " + step.name + "." : "Rerun started.");
    go("/runs/" + data.run_id);
  } catch (err) {
    toast("Rerun failed: " + err.message);
  }
}

function runHeader(detail) {
  const run = detail.run;
  const started = run.started_at;
  return h("div", { class: "panel" },
    h("div", { class: "toolbar", style: "margin:0" },
      h("div", { class: "grow" }, h("h1", null, run.function_name, " ", pill(run.status)),
        h("div", { class: "muted mono small" }, run.run_id)),
      runActions(run, detail.reload)),
    h("div", { class: "meta" },
      h("div", null, h("span", null, "Triggered by"), run.event_name ? link("/events/" + run.event_id, run.event_name) : "—"),
      detail.invoked_by ? h("div", { "data-invoked-by": detail.invoked_by.run_id }, h("span", null, "Invoked by"),
        link("/runs/" + detail.invoked_by.run_id, detail.invoked_by.run_id)) : null,
      h("div", null, h("span", null, "Queued"), formatTime(run.queued_at)),
      h("div", null, h("span", null, "Started"), formatTime(started)),
      h("div", null, h("span", null, "Ended"), formatTime(run.ended_at)),
      h("div", null, h("span", null, "Queue delay"), started ? duration(started - run.queued_at) : "—"),
      h("div", null, h("span", null, "Duration"), run.ended_at ? duration(run.ended_at - (started || run.queued_at)) : "running…"),
      detail.rerun_of ? h("div", null, h("span", null, "Rerun of"), link("/runs/" + detail.rerun_of.run_id, detail.rerun_of.run_id),
        detail.rerun_of.from_step ? h("div", { class: "muted small" }, "from step " + (detail.rerun_of.from_step_name || detail.rerun_of.from_step) +
          "; earlier steps reused their results") : null) : null,
      detail.reruns.length ? h("div", null, h("span", null, "Reruns"), detail.reruns.map((r) => h("div", null, link("/runs/" + r.run_id, r.run_id)))) : null));
}

function runResult(run) {
  if (run.status === "completed") return [h("h2", null, "Output"), jsonBlock(run.output)];
  if (run.error) {
    return [h("h2", null, run.status === "cancelled" ? "Cancelled" : "Error"), errorBox(run.error)];
  }
  return null;
}

async function renderRun(main, match) {
  const runId = decodeURIComponent(match[1]);
  const open = new Set();
  const body = h("div");
  let detail = null;

  function draw() {
    const run = detail.run;
    fill(body,
      runHeader(detail),
      h("h2", null, "Timeline"),
      waterfall(run, detail.steps, { open, redraw: draw, onRerunFrom: (step) => rerunFrom(run, step) }),
      runResult(run),
      detail.event ? [h("h2", null, "Trigger event"), jsonBlock(detail.event)] : null);
  }

  async function load() {
    const { data } = await api("/v0/runs/" + encodeURIComponent(runId));
    detail = Object.assign(data, { run: fromApiRun(data.run), steps: data.steps.map(fromApiStep), reload: load });
    draw();
  }

  append(main, [h("div", { class: "small" }, link("/runs", "← All runs")), body]);
  await load();
  // An ended run changes only through the actions above, which reload it themselves.
  return () => (isEnded(detail.run) ? Promise.resolve() : load());
}

page(/^\/runs\/([^/]+)$/, "runs", renderRun);
`;

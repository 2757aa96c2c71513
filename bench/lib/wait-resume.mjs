/**
 * waitForEvent resume latency (issues 3 and 9): runs do a first step, then
 * `step.waitForEvent("w", { event: "bench/resume", match: "data.key", timeout: "10m" })`, each
 * with its own key. A resume is timed from sending the `bench/resume` event (its send time in
 * `data.sentAt`) to the step after the wait starting, in the app.
 *
 * First `waitResumes` runs one at a time, so one run is waiting when its resume is sent; then
 * `waitingRuns` runs are brought to the wait (trigger events in batches of WAIT_FILL_BATCH, at
 * most WAIT_FILL_IN_FLIGHT not yet waiting, for at most `waitFillTimeoutMs`) and `waitResumes` of
 * them, spread over the key range, are resumed one at a time. The rest are left waiting: this
 * section runs last and the server is discarded after it.
 *
 * A run counts as waiting once the app saw its code reach `step.waitForEvent` (the call that hands
 * the server the wait); a resume is sent only once the app has had no call for WAIT_SETTLE_MS,
 * so the server has stored the pause. A resume that is not seen within WAIT_STEP_TIMEOUT_MS is
 * reported as lost. Before each series of resumes is timed, the server's processes must have gone
 * idle (SERVER_IDLE_TIMEOUT_MS at most), so that neither series is timed while the server still
 * works off what came before it (the fill's history, above all).
 * @module
 */
import { setTimeout as sleep } from "node:timers/promises";
import { EVENTS, WAIT_FILL_BATCH, WAIT_FILL_IN_FLIGHT, WAIT_RATIO_TARGET, WAIT_SETTLE_MS, WAIT_STEP_TIMEOUT_MS } from "./config.mjs";
import { explainMissing, pollUntil, sendEvent, sendEvents, waitForQuiet } from "./events.mjs";
import { waitForIdleGroup } from "./group-cpu.mjs";
import { round, summarize } from "./stats.mjs";

/**
 * After the fill stops, runs already triggered get to reach the wait for as long as some reach it:
 * the wait ends once none has for this long. (A fixed grace timed resumes on a busy machine while
 * half the runs were still being started.)
 */
const FILL_GRACE_MS = 60_000;
/** Longest wait for the app to go quiet once every run is waiting. */
const QUIET_TIMEOUT_MS = 60_000;
/** Longest wait for the server to go idle before a series of resumes is timed. */
const SERVER_IDLE_TIMEOUT_MS = 15 * 60_000;
/**
 * One-second windows of low CPU in a row that count as idle: longer than the gaps between waves
 * of history sends that run objects repeat until the consumer confirms them (HISTORY_RESEND_AFTER_MS,
 * 10 s, in src/constants.ts). With 3 windows, 100,000 runs were timed in such a gap, while the
 * history consumer was still working off the fill.
 */
const SERVER_IDLE_WINDOWS = 30;
/** Gap between resumes in the many-waiting case. */
const RESUME_GAP_MS = 100;

const keyOf = (seq) => `key-${seq}`;

export async function waitResume(bench, work) {
  const one = await resumeOneAtATime(bench, work);
  const many = await resumeAmongMany(bench, work);
  const settle = { one_waiting_s: one.settleSeconds, many_waiting_s: many.settleSeconds };
  const ratio = (p) => (one.latency[p] && many.latency[p] != null ? round(many.latency[p] / one.latency[p]) : null);
  const repeats = bench.app.repeatsOf("wait-resumed");
  if (repeats) bench.problems.push(`stepflare wait: the step after a waitForEvent ran more than once ${repeats} times`);
  return {
    one_waiting_ms: one.latency,
    one_lost: one.lost,
    waiting_target: work.waitingRuns,
    waiting_reached: many.waiting,
    fill_seconds: many.fillSeconds,
    fill_runs_per_s: many.fillSeconds ? round(many.waiting / many.fillSeconds) : null,
    fill_complete: many.waiting >= work.waitingRuns,
    many_waiting_ms: many.latency,
    many_lost: many.lost,
    ratio_p50: ratio("p50"),
    ratio_p95: ratio("p95"),
    ratio_target: WAIT_RATIO_TARGET,
    repeated_steps: repeats,
    server_idle_wait_s: settle,
  };
}

/**
 * Waits for the server to go idle before a series of resumes is timed; the seconds it took, or
 * null (and a problem noted) when it did not within SERVER_IDLE_TIMEOUT_MS.
 */
async function settleServer(bench, label) {
  const seconds = await waitForIdleGroup(bench.serverGroup, { idleWindows: SERVER_IDLE_WINDOWS, timeoutMs: SERVER_IDLE_TIMEOUT_MS });
  if (seconds === null)
    bench.problems.push(`stepflare wait (${label}): the server did not go idle within ${SERVER_IDLE_TIMEOUT_MS / 60_000} min; timed anyway`);
  return seconds;
}

/** `waitResumes` + 1 (the first untimed) runs, each started, brought to the wait and resumed alone. */
async function resumeOneAtATime(bench, work) {
  const { client, app, problems } = bench;
  const latencies = [];
  const lost = [];
  const settleSeconds = await settleServer(bench, "1 waiting");
  for (let i = 0; i <= work.waitResumes; i++) {
    const seq = ++bench.seq;
    const eventId = await sendEvent(client, EVENTS.waitStart, { seq, key: keyOf(seq) });
    if (!(await app.report("wait-reached", seq, WAIT_STEP_TIMEOUT_MS))) {
      const why = await explainMissing(client, [eventId]);
      throw new Error(`run ${seq} did not reach its waitForEvent within ${WAIT_STEP_TIMEOUT_MS / 1000} s; ${why}`);
    }
    await waitForQuiet(app, WAIT_SETTLE_MS, WAIT_STEP_TIMEOUT_MS);
    const ms = await resumeOnce(bench, seq, "1 waiting");
    if (ms === null) lost.push(eventId);
    else if (i > 0) latencies.push(ms);
  }
  if (lost.length) {
    problems.push(
      `stepflare wait: ${lost.length} of ${work.waitResumes + 1} resumes with one run waiting were not seen within ` +
        `${WAIT_STEP_TIMEOUT_MS / 1000} s; ${await explainMissing(client, lost)}`,
    );
  }
  return { latency: summarize(latencies), lost: lost.length, settleSeconds };
}

/** Bring up to `waitingRuns` runs to the wait, then resume `waitResumes` of them one at a time. */
async function resumeAmongMany(bench, work) {
  const { client, app, problems } = bench;
  const seqs = [];
  const ours = new Set();
  const eventIds = new Map();
  const reached = () => app.reportsOf("wait-reached").filter((r) => ours.has(r.seq));
  // Counted incrementally while filling: reports arrive in order, so only new ones are scanned.
  let reachedCount = 0;
  let scanned = 0;
  const countReached = () => {
    const all = app.reportsOf("wait-reached");
    for (; scanned < all.length; scanned++) if (ours.has(all[scanned].seq)) reachedCount++;
    return reachedCount;
  };
  const fillStart = Date.now();
  const deadline = fillStart + work.waitFillTimeoutMs;
  let lastLog = fillStart;
  while (seqs.length < work.waitingRuns && Date.now() < deadline) {
    const waitingNow = countReached();
    if (Date.now() - lastLog >= 10_000) {
      console.error(`bench: wait: ${waitingNow} runs waiting, ${seqs.length} triggered, ${Math.round((Date.now() - fillStart) / 1000)} s`);
      lastLog = Date.now();
    }
    if (seqs.length - waitingNow + WAIT_FILL_BATCH > WAIT_FILL_IN_FLIGHT) {
      await sleep(50);
      continue;
    }
    const batch = Array.from({ length: Math.min(WAIT_FILL_BATCH, work.waitingRuns - seqs.length) }, () => ++bench.seq);
    for (const seq of batch) (seqs.push(seq), ours.add(seq));
    const ids = await sendEvents(
      client,
      batch.map((seq) => ({ name: EVENTS.waitStart, data: { seq, key: keyOf(seq) } })),
    );
    batch.forEach((seq, i) => eventIds.set(seq, ids[i]));
  }
  const stoppedEarly = seqs.length < work.waitingRuns;
  let progressAt = Date.now();
  let lastCount = countReached();
  await pollUntil(
    () => {
      const count = countReached();
      if (count > lastCount) [lastCount, progressAt] = [count, Date.now()];
      return count === seqs.length || Date.now() - progressAt >= FILL_GRACE_MS;
    },
    Math.max(deadline - Date.now(), FILL_GRACE_MS),
    200,
  );
  const waiting = reached();
  const fillSeconds = waiting.length ? round((Math.max(...waiting.map((r) => r.at)) - fillStart) / 1000) : null;
  if (stoppedEarly) {
    problems.push(
      `stepflare wait: only ${seqs.length} of ${work.waitingRuns} runs were triggered within ` +
        `${work.waitFillTimeoutMs / 1000} s (${waiting.length} reached the wait); resumes were timed among those`,
    );
  }
  if (waiting.length < seqs.length) {
    const seen = new Set(waiting.map((r) => r.seq));
    const stuck = seqs.filter((seq) => !seen.has(seq));
    problems.push(
      `stepflare wait: ${stuck.length} of ${seqs.length} triggered runs never reached their waitForEvent ` +
        `(none reached it for ${FILL_GRACE_MS / 1000} s): seqs ${stuck.slice(0, 10).join(", ")}; ` +
        (await explainMissing(
          client,
          stuck.map((seq) => eventIds.get(seq)),
        )),
    );
  }
  console.error(`bench: wait: ${waiting.length} runs waiting after ${fillSeconds} s; timing resumes`);
  if (!(await waitForQuiet(app, 2 * WAIT_SETTLE_MS, QUIET_TIMEOUT_MS))) {
    problems.push(`stepflare wait: the server was still calling the app ${QUIET_TIMEOUT_MS / 1000} s after every run was waiting`);
  }
  const settleSeconds = await settleServer(bench, `${waiting.length} waiting`);

  // Resume runs spread over the whole key range (oldest to newest pauses), one at a time.
  const waitingSeqs = waiting.map((r) => r.seq).sort((a, b) => a - b);
  const picks = new Set();
  for (let i = 0; i < work.waitResumes && waitingSeqs.length; i++) {
    picks.add(waitingSeqs[Math.floor(((i + 0.5) * waitingSeqs.length) / work.waitResumes)]);
  }
  const latencies = [];
  const lost = [];
  for (const seq of picks) {
    const ms = await resumeOnce(bench, seq, `${waiting.length} waiting`);
    if (ms === null) lost.push(eventIds.get(seq));
    else latencies.push(ms);
    await sleep(RESUME_GAP_MS);
  }
  if (lost.length) {
    problems.push(
      `stepflare wait: ${lost.length} of ${picks.size} resumes with ${waiting.length} runs waiting were not seen within ` +
        `${WAIT_STEP_TIMEOUT_MS / 1000} s; ${await explainMissing(client, lost)}`,
    );
  }
  return { waiting: waiting.length, fillSeconds, latency: summarize(latencies), lost: lost.length, settleSeconds };
}

/**
 * Send the resume event for run `seq` and resolve to ms until the step after its wait started,
 * or null if it did not within WAIT_STEP_TIMEOUT_MS.
 */
async function resumeOnce(bench, seq, label) {
  const sentAt = Date.now();
  await sendEvent(bench.client, EVENTS.waitResume, { key: keyOf(seq), sentAt });
  const resumed = await bench.app.report("wait-resumed", seq, WAIT_STEP_TIMEOUT_MS);
  if (!resumed) return null;
  if (resumed.sentAt !== sentAt) {
    bench.problems.push(`stepflare wait (${label}): run ${seq} resumed with ${resumed.sentAt === null ? "null (timed out)" : "another event"}`);
    return null;
  }
  return resumed.at - sentAt;
}

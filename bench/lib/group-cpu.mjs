/**
 * CPU used by a process group (the dev server: node, and the workerd it starts), read from
 * /proc, so that a timing can wait until the server has worked off what came before it. Linux
 * only; elsewhere the wait is skipped and says so.
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** Kernel clock ticks per second, in which /proc reports CPU time (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) used so far by the live processes of group `pgid`, or null without /proc. */
export function groupCpuSeconds(pgid) {
  let entries;
  try {
    entries = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  let ticks = 0;
  for (const pid of entries) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // The process ended while the list was read.
    }
    // Fields after the command name (which may hold spaces): state ppid pgrp ... utime(12th) stime(13th).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/**
 * Waits until group `pgid` has used under `idleShare` of one core in each of `idleWindows`
 * consecutive one-second windows, for at most `timeoutMs`. Resolves to the seconds waited, or
 * null when it never went idle (or CPU cannot be read).
 */
export async function waitForIdleGroup(pgid, { idleShare = 0.15, idleWindows = 3, timeoutMs = 600_000 } = {}) {
  const start = Date.now();
  let last = groupCpuSeconds(pgid);
  if (last === null) return null;
  let idle = 0;
  while (Date.now() - start < timeoutMs) {
    await sleep(1_000);
    const now = groupCpuSeconds(pgid);
    idle = now - last < idleShare ? idle + 1 : 0;
    last = now;
    if (idle >= idleWindows) return Math.round((Date.now() - start) / 100) / 10;
  }
  return null;
}

/**
 * Runs `fn` and measures the CPU group `pgid` used meanwhile, in milliseconds per `units` (the
 * requests or events `fn` sent): a cost per unit that, unlike a throughput, hardly depends on
 * what else loads the machine. Resolves to `fn`'s result and that figure (null without /proc).
 */
export async function withGroupCpu(pgid, units, fn) {
  const before = groupCpuSeconds(pgid);
  const result = await fn();
  const after = groupCpuSeconds(pgid);
  const msPerUnit = before === null || after === null || units === 0 ? null : Math.round(((after - before) * 1000 * 1000) / units) / 1000;
  return { result, msPerUnit };
}

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const outdir = mkdtempSync(join(tmpdir(), "stepflare-deploy-"));

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("wrangler deploy --dry-run", () => {
  it("bundles the Worker with its Queue, Durable Object, D1 and cron bindings", async () => {
    const wrangler = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
    const { stdout } = await promisify(execFile)(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", outdir], {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    });
    for (const binding of ["env.RUNS (RunObject)", "env.SCHEDULER (SchedulerObject)", "env.EVENTS (stepflare-events)", "env.DB (stepflare)"]) {
      expect(stdout).toContain(binding);
    }
    const files = readdirSync(outdir);
    // The entry, and beside it the dashboard's charting library and its own script (built by the
    // config's [build] command), imported as text.
    const bundle = files.find((f) => f === "index.js");
    expect(bundle).toBeDefined();
    expect(files.some((f) => f.endsWith("uPlot.iife.min.js"))).toBe(true);
    const dashboard = files.find((f) => f.endsWith("stepflare-dashboard.js"));
    expect(dashboard).toBeDefined();
    expect(readFileSync(join(outdir, dashboard!), "utf8")).toContain("/v0/runs");
    const code = readFileSync(join(outdir, bundle!), "utf8");
    expect(code).toMatch(/export\s*{[^}]*RunObject/);
    expect(code).toMatch(/export\s*{[^}]*SchedulerObject/);
  });
});

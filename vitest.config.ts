import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** The e2e files that mostly wait: two steps longer than every lease, and a real minute tick. */
const E2E_WAITS = ["tests/e2e/long-steps.test.ts", "tests/e2e/cron.test.ts"];

/**
 * Five projects: `unit` runs pure logic in Node; `workers` runs the Worker and its Durable
 * Objects inside workerd; `e2e` starts the real dev server and drives it with the official SDK;
 * `e2e-waits` is e2e files that spend their time waiting (leases, the minute tick); `ui` drives
 * the dashboard on that server in a headless Chromium.
 *
 * Vitest runs the files of projects limited to one worker (`e2e`) after every other project, one
 * at a time. `e2e` needs that: its files share wrangler's dev registry, where each dev server
 * registers as `stepflare` and the Worker-app files look it up. `e2e-waits` and `ui` run beside
 * the unit and workers files instead, two files at a time: they look nothing up in the registry
 * and mostly wait, so they would only lengthen the one-at-a-time queue.
 */
export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    test: {
      // Two files at a time even on a 2-core machine (vitest's default would be one): the
      // e2e-waits and ui files spend most of their time waiting on leases, minute ticks and the
      // browser, so they run beside the CPU-bound unit and workers files instead of after them.
      maxWorkers: 2,
      projects: [
        {
          test: {
            name: "unit",
            include: ["tests/unit/**/*.test.ts"],
            environment: "node",
            // Generous bounds, never speed checks: a property test may share its core with an e2e file.
            testTimeout: 30_000,
          },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  // The request fuzzer's seed and size (tests/workers/fuzz.test.ts), to replay a failure.
                  STEPFLARE_FUZZ_SEED: process.env.STEPFLARE_FUZZ_SEED ?? "",
                  STEPFLARE_FUZZ_RUNS: process.env.STEPFLARE_FUZZ_RUNS ?? "",
                },
                queueConsumers: {
                  "stepflare-events": { maxBatchTimeout: 0.05 },
                  "stepflare-history": { maxBatchTimeout: 0.05 },
                },
                compatibilityFlags: ["service_binding_extra_handlers"],
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["tests/workers/**/*.test.ts"],
            testTimeout: 60_000,
            setupFiles: ["./tests/workers/apply-migrations.ts"],
            // The Worker imports the dashboard's bundle, which wrangler's [build] command makes
            // on the other paths; this pool does not run it.
            globalSetup: ["./scripts/build-dashboard.mjs"],
          },
        },
        {
          test: {
            name: "e2e",
            include: ["tests/e2e/**/*.test.ts"],
            exclude: E2E_WAITS,
            environment: "node",
            testTimeout: 120_000,
            hookTimeout: 120_000,
            fileParallelism: false,
          },
        },
        {
          test: {
            name: "e2e-waits",
            include: E2E_WAITS,
            environment: "node",
            testTimeout: 120_000,
            hookTimeout: 120_000,
          },
        },
        {
          test: {
            name: "ui",
            include: ["tests/ui/**/*.test.ts"],
            environment: "node",
            testTimeout: 120_000,
            hookTimeout: 120_000,
          },
        },
      ],
    },
  };
});

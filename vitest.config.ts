import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Four projects: `unit` runs pure logic in Node; `workers` runs the Worker and its Durable
 * Objects inside workerd; `e2e` starts the real dev server and drives it with the official SDK;
 * `ui` drives the dashboard on that server in a headless Chromium. The e2e and ui files run one
 * at a time each (each starts its own dev server).
 */
export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    test: {
      // Two files at a time even on a 2-core machine (vitest's default would be one): the e2e
      // and ui files spend most of their time waiting on backoffs, sleeps and minute ticks, so one
      // of them runs beside the CPU-bound unit and workers files instead of after them.
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
            environment: "node",
            testTimeout: 120_000,
            hookTimeout: 120_000,
            fileParallelism: false,
          },
        },
        {
          test: {
            name: "ui",
            include: ["tests/ui/**/*.test.ts"],
            environment: "node",
            testTimeout: 120_000,
            hookTimeout: 120_000,
            fileParallelism: false,
          },
        },
      ],
    },
  };
});

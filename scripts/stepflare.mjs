#!/usr/bin/env node
// The `stepflare` command of the installed package (`npx stepflare dev`): `dev` runs the dev
// server exactly as `npm run dev` does in a clone, with the same flags.
import { runDev, USAGE_EXIT_CODE } from "./dev/main.mjs";

const [subcommand, ...rest] = process.argv.slice(2);
if (subcommand === "dev") {
  await runDev(rest, "stepflare dev");
} else {
  const known = "Usage: stepflare dev [flags]   (stepflare dev --help lists the flags)";
  if (subcommand === undefined || subcommand === "--help" || subcommand === "-h") {
    console.log(known);
  } else {
    console.error(`stepflare: unknown command ${subcommand}\n${known}`);
    process.exit(USAGE_EXIT_CODE);
  }
}

#!/usr/bin/env node
// The `stepflare` command of the installed package (`npx stepflare dev`): `dev` runs the dev
// server exactly as `npm run dev` does in a clone, with the same flags.
// The engines field only warns; wrangler would refuse later, after a slower start.
const MIN_NODE_MAJOR = 22;
if (Number(process.versions.node.split(".")[0]) < MIN_NODE_MAJOR) {
  console.error(`stepflare: needs Node ${MIN_NODE_MAJOR} or later; this is Node ${process.versions.node}`);
  process.exit(1);
}
const { runDev, USAGE_EXIT_CODE } = await import("./dev/main.mjs");

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

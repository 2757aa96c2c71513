/**
 * The dashboard's browser bundle holds the client's own modules only: it reads the server's types
 * (src/history, src/sync, ...), and a value imported from there would ship server code, and its
 * dependencies, to the browser.
 */
import { resolve } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

describe("the dashboard's browser bundle", () => {
  it("is built from src/dashboard/client alone", async () => {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: ["src/dashboard/client/main.ts"],
      bundle: true,
      format: "iife",
      platform: "browser",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain("src/dashboard/client/main.ts");
    expect(inputs.filter((path) => !path.startsWith("src/dashboard/client/"))).toEqual([]);
  });
});

/**
 * stepflare's Durable Object classes, for a Worker entry module that serves apps in-process:
 * `export * from ".../src/local/durable-objects"` exports every class `wrangler.toml` binds, and
 * any added later.
 * @module
 */
export * from "../index";

/**
 * The D1 meter's counts over HTTP, for the bench: `GET /_bench/d1` and `POST /_bench/d1/reset`.
 * They exist only while the meter is switched on (`STEPFLARE_COUNT_D1=true`, dev mode); otherwise
 * the request falls through to the Worker's 404.
 * @module
 */
import { Hono } from "hono";
import type { Env } from "../env";
import { d1Counts, meteringEnabled, resetD1Counts } from "./d1-meter";

/** Routes of the D1 meter; mount at the root of the Worker's Hono app. */
export const meteringRoutes = new Hono<{ Bindings: Env }>();

meteringRoutes.get("/_bench/d1", async (c, next) => {
  if (!meteringEnabled(c.env)) return next();
  return c.json({ paths: d1Counts() });
});

meteringRoutes.post("/_bench/d1/reset", async (c, next) => {
  if (!meteringEnabled(c.env)) return next();
  resetD1Counts();
  return c.json({ ok: true });
});

/**
 * The D1 meter's counts over HTTP, for the bench: `GET /_bench/d1` and `POST /_bench/d1/reset`,
 * and the phase timings: `GET /_bench/phases` and `POST /_bench/phases/reset`. They exist only
 * while their meter is switched on (`STEPFLARE_COUNT_D1=true`, `STEPFLARE_TIME_PHASES=true`, dev
 * mode); otherwise the request falls through to the Worker's 404.
 * @module
 */
import { Hono } from "hono";
import type { Env } from "../env";
import { d1Counts, meteringEnabled, resetD1Counts } from "./d1-meter";
import { phaseSummaries, resetPhases, timingEnabled } from "./phase-timing";

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

meteringRoutes.get("/_bench/phases", async (c, next) => {
  if (!timingEnabled(c.env)) return next();
  return c.json({ phases: phaseSummaries() });
});

meteringRoutes.post("/_bench/phases/reset", async (c, next) => {
  if (!timingEnabled(c.env)) return next();
  resetPhases();
  return c.json({ ok: true });
});

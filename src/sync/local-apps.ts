/**
 * The in-process apps of this Worker: serve handlers registered by `stepflare({ apps })` when the
 * Worker's entry module is evaluated. Every isolate that runs this Worker's code (the one serving
 * a request, the one a RunObject lives in) evaluates the entry module first, so the table is the
 * same in all of them; nothing is stored or shared between isolates.
 * @module
 */

/** A registered serve handler, called with the request and this Worker's env. */
export type InProcessApp = (request: Request, env: object) => Promise<Response>;

const apps = new Map<string, InProcessApp>();

/** Adds apps by name; a name registered twice keeps the last handler (a module evaluated again). */
export function registerInProcessApp(name: string, app: InProcessApp): void {
  apps.set(name, app);
}

/** The handler registered under `name`, if any. */
export function inProcessApp(name: string): InProcessApp | undefined {
  return apps.get(name);
}

/** The names registered in this isolate, in registration order. */
export function inProcessAppNames(): string[] {
  return [...apps.keys()];
}

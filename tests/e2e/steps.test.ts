import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devClient, serveApp, type TestApp } from "./harness/app";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { sendEvents, syncApp, waitForEndedRuns } from "./harness/server-api";

let server: DevServer;
let app: TestApp;
const effects: string[] = [];

beforeAll(async () => {
  server = await startDevServer();
  const inngest = devClient("e2e-steps", server.url);
  const sequential = inngest.createFunction(
    { id: "sequential", triggers: { event: "test/sequential" } },
    async ({ event, step }) => {
      const a = await step.run("a", () => {
        effects.push(`a:${event.data.n}`);
        return (event.data.n as number) + 1;
      });
      const b = await step.run("b", () => {
        effects.push(`b:${a}`);
        return a * 10;
      });
      const c = await step.run("c", () => {
        effects.push(`c:${b}`);
        return `${b}!`;
      });
      return { a, b, c };
    },
  );
  app = await serveApp(inngest, [sequential]);
  await syncApp(server.url, app.url);
});

afterAll(async () => {
  await app?.close();
  await server?.dispose();
});

describe("steps", () => {
  it("runs three sequential steps once each, passing outputs on", async () => {
    const [id] = await sendEvents(server.url, { name: "test/sequential", data: { n: 4 } });
    const [run] = await waitForEndedRuns(server.url, id!);
    expect(run!.status).toBe("Completed");
    expect(run!.output).toEqual({ a: 5, b: 50, c: "50!" });
    expect(effects).toEqual(["a:4", "b:5", "c:50"]);
  });
});

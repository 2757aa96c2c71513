import { createServer, type Server } from "node:http";
import express from "express";
import { Inngest } from "inngest-v3";
import { serve } from "inngest-v3/express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "./harness/dev-server";
import { freePort } from "./harness/ports";
import { sendEvents, sendUntilEnded, syncApp } from "./harness/server-api";
import { waitFor } from "./harness/wait";

let server: DevServer;
let appServer: Server;
const effects: string[] = [];

beforeAll(async () => {
  server = await startDevServer();
  // v3 SDKs find a custom server through an explicit dev URL, as its docs say.
  const inngest = new Inngest({ id: "e2e-v3", isDev: true, baseUrl: server.url });
  const steps = inngest.createFunction({ id: "v3-steps" }, { event: "v3/steps" }, async ({ event, step }) => {
    const a = await step.run("a", () => {
      effects.push("a");
      return (event.data as { n: number }).n + 1;
    });
    await step.sleep("nap", "1s");
    const paid = await step.waitForEvent("paid", { event: "v3/paid", match: "data.orderId", timeout: "30s" });
    const b = await step.run("b", () => {
      effects.push("b");
      return a * 2;
    });
    return { a, b, payer: (paid?.data as { payer?: string } | undefined)?.payer ?? null };
  });
  const app = express();
  app.use(express.json({ limit: "10mb" }));
  app.use("/api/inngest", serve({ client: inngest, functions: [steps] }));
  const port = await freePort();
  appServer = createServer(app);
  await new Promise<void>((r) => appServer.listen(port, "127.0.0.1", r));
  await syncApp(server.url, `http://127.0.0.1:${port}/api/inngest`);
});

afterAll(async () => {
  await new Promise((r) => appServer?.close(r));
  await server?.dispose();
});

describe("the v3 SDK (inngest@3)", () => {
  it("runs steps, a sleep and a waitForEvent", async () => {
    const [id] = await sendEvents(server.url, { name: "v3/steps", data: { n: 1, orderId: "o-1" } });
    await waitFor(() => (effects.includes("a") ? true : undefined), 30_000, "the first step");
    await sendEvents(server.url, { name: "v3/paid", data: { orderId: "o-other", payer: "mallory" } });
    const run = await sendUntilEnded(server.url, id!, { name: "v3/paid", data: { orderId: "o-1", payer: "carol" } });
    expect(run.status).toBe("Completed");
    expect(run.output).toEqual({ a: 2, b: 4, payer: "carol" });
    expect(effects).toEqual(["a", "b"]);
  });
});

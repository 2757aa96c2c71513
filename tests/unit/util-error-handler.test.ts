import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { describe, expect, it, vi } from "vitest";
import { handleError } from "../../src/util/error-handler";

function router() {
  const app = new Hono();
  app.post("/limited", bodyLimit({ maxSize: 10 }), (c) => c.text("ok"));
  app.get("/refused", () => {
    throw new HTTPException(422, { message: "no thanks" });
  });
  app.get("/broken", () => {
    throw new Error("D1_ERROR: no such table: secret_internal_table");
  });
  app.onError(handleError);
  return app;
}

describe("handleError", () => {
  it("keeps a 4xx raised on purpose as a JSON error", async () => {
    const app = router();
    const limited = await app.request("/limited", { method: "POST", body: "x".repeat(100) });
    expect(limited.status).toBe(413);
    expect(await limited.json()).toEqual({ status: 413, error: "request refused" });
    const refused = await app.request("/refused");
    expect(await refused.json()).toEqual({ status: 422, error: "no thanks" });
  });

  it("answers anything else with a reference only, and logs the cause under it", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await router().request("/broken");
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: string };
    const reference = /^internal error \(reference ([0-9a-f-]{36})\); see the server log$/.exec(body.error)?.[1];
    expect(reference).toBeDefined();
    expect(JSON.stringify(body)).not.toContain("secret_internal_table");
    expect(log).toHaveBeenCalledWith(
      expect.stringContaining(reference!),
      expect.objectContaining({ message: expect.stringContaining("secret_internal_table") }),
    );
    log.mockRestore();
  });
});

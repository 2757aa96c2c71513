/**
 * What a durable endpoint's output URL answers for each stored result: the recorded response
 * (status, headers, body; transfer headers left to the platform, no body where none may be), any
 * other output as JSON, a failed run's error as a 500, unreadable state as a 500 saying so.
 */
import { describe, expect, it } from "vitest";
import { outputResponse } from "../../src/api/endpoint-output";

describe("outputResponse", () => {
  it("answers the recorded endpoint response", async () => {
    const res = outputResponse(
      JSON.stringify({
        output: { status: 418, headers: { "content-type": "text/plain", "x-kind": "teapot", "content-length": "999" }, body: "short", version: 2 },
      }),
    );
    expect(res.status).toBe(418);
    expect(res.headers.get("x-kind")).toBe("teapot");
    expect(res.headers.get("content-length")).toBeNull();
    expect(await res.text()).toBe("short");
  });

  it("sends no body with a status that may have none", async () => {
    const res = outputResponse(JSON.stringify({ output: { status: 204, body: "ignored" } }));
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
  });

  it("answers any other output as JSON, and a status it cannot send as an output", async () => {
    expect(await outputResponse(JSON.stringify({ output: { done: true } })).json()).toEqual({ done: true });
    const odd = outputResponse(JSON.stringify({ output: { status: 101, body: "x" } }));
    expect(odd.status).toBe(200);
    expect(await odd.json()).toEqual({ status: 101, body: "x" });
  });

  it("answers a failed run's error as a 500, and unreadable state as a 500 saying so", async () => {
    const failed = outputResponse(JSON.stringify({ error: { name: "StepError", message: "boom" } }));
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ name: "StepError", error: "boom" });
    const broken = outputResponse("{nope");
    expect(broken.status).toBe(500);
    expect(((await broken.json()) as { error: string }).error).toContain("cannot be read");
  });
});

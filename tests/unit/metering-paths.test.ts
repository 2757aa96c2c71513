import { describe, expect, it } from "vitest";
import { queuePath, requestPath } from "../../src/metering/handlers";

describe("D1 meter paths", () => {
  it("names the hot paths of HTTP requests and leaves the rest to api", () => {
    expect(requestPath("POST", "/e/any-key")).toBe("ingest");
    expect(requestPath("POST", "/v1/checkpoint/01J0RUN/async")).toBe("step");
    expect(requestPath("POST", "/v1/checkpoint")).toBe("step");
    expect(requestPath("POST", "/v1/checkpoint/01J0RUN/steps")).toBe("step");
    expect(requestPath("POST", "/fn/register")).toBe("sync");
    expect(requestPath("POST", "/v0/apps/sync")).toBe("sync");
    expect(requestPath("GET", "/e/any-key")).toBe("api");
    expect(requestPath("GET", "/v1/events/01J0EVENT/runs")).toBe("api");
  });

  it("names the events queue routing and any other queue by its name", () => {
    expect(queuePath("stepflare-events")).toBe("routing");
    expect(queuePath("stepflare-history")).toBe("queue:stepflare-history");
  });
});

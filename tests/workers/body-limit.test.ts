/**
 * Request bodies over MAX_REQUEST_BODY_BYTES: refused with 413 from the declared length before
 * any of the body is read, or as soon as a body without a (truthful) length passes the cap.
 */
import { describe, expect, it } from "vitest";
import { MAX_REQUEST_BODY_BYTES } from "../../src/constants";
import { countRows } from "./helpers/d1";
import { eventsInHistory } from "./helpers/event-shards";
import { workerFetch } from "./helpers/worker";
import { stepflareFetch } from "../../src/local/server-fetch";

const CHUNK = new TextEncoder().encode(`[${'{"name":"size/x","data":{}},'.repeat(30_000)}`);

/** A body stream of `total` bytes in chunks, counting how many bytes the server pulled. */
function countedBody(total: number) {
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const piece = CHUNK.subarray(0, Math.min(CHUNK.byteLength, total - sent));
      sent += piece.byteLength;
      controller.enqueue(piece);
    },
  });
  return { stream, pulled: () => sent };
}

describe("ingest body cap", () => {
  it("refuses a body whose Content-Length is over the cap without reading it", async () => {
    const body = countedBody(MAX_REQUEST_BODY_BYTES + 1);
    await eventsInHistory();
    const before = await countRows("events");
    const res = await workerFetch("/e/test-key", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(MAX_REQUEST_BODY_BYTES + 1) },
      body: body.stream,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      ids: [],
      status: 413,
      error: `request body is ${MAX_REQUEST_BODY_BYTES + 1} bytes; the limit is ${MAX_REQUEST_BODY_BYTES} bytes`,
    });
    // At most what a stream buffers ahead of its reader: far less than the body.
    expect(body.pulled()).toBeLessThan(MAX_REQUEST_BODY_BYTES / 2);
    await eventsInHistory();
    expect(await countRows("events")).toBe(before);
  });

  it("stops reading a streamed body without a length once it passes the cap", async () => {
    const body = countedBody(MAX_REQUEST_BODY_BYTES * 3);
    const res = await workerFetch("/e/test-key", { method: "POST", headers: { "content-type": "application/json" }, body: body.stream });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      ids: [],
      status: 413,
      error: `request body is over ${MAX_REQUEST_BODY_BYTES} bytes; the limit is ${MAX_REQUEST_BODY_BYTES} bytes`,
    });
    expect(body.pulled()).toBeLessThan(MAX_REQUEST_BODY_BYTES * 2);
  });

  it("accepts a body just under the cap", async () => {
    const events = Array.from({ length: 43 }, (_, i) => ({ name: "size/ok", data: { i, pad: "€".repeat(80_000) } }));
    const text = JSON.stringify(events);
    expect(new TextEncoder().encode(text).byteLength).toBeLessThan(MAX_REQUEST_BODY_BYTES);
    expect(new TextEncoder().encode(text).byteLength).toBeGreaterThan(MAX_REQUEST_BODY_BYTES - 800_000);
    const res = await workerFetch("/e/test-key", { method: "POST", headers: { "content-type": "application/json" }, body: text });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ids: string[] }).ids).toHaveLength(43);
  });

  it("caps the dashboard's send and the JSON API bodies too, in their error shape", async () => {
    const big = JSON.stringify({ data: { pad: "x".repeat(MAX_REQUEST_BODY_BYTES) } });
    for (const path of ["/v0/events", "/v0/functions/any/invoke", "/v1/cancellations", "/v1/signals"]) {
      const res = await workerFetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: big });
      expect(res.status, path).toBe(413);
      expect(await res.json(), path).toEqual({ status: 413, error: expect.stringContaining(`the limit is ${MAX_REQUEST_BODY_BYTES} bytes`) });
    }
  });
});

describe("in-process request bodies (stepflareFetch)", () => {
  it("holds a body built from a string to the same cap, counted in UTF-8 bytes", async () => {
    const text = JSON.stringify([{ name: "size/in-process", data: { pad: "€".repeat(Math.ceil(MAX_REQUEST_BODY_BYTES / 3)) } }]);
    expect(text.length).toBeLessThan(MAX_REQUEST_BODY_BYTES);
    const res = await stepflareFetch("http://stepflare.local/e/test-key", { method: "POST", headers: { "content-type": "application/json" }, body: text });
    expect(res.status).toBe(413);
  });

  it("accepts one under the cap as sent", async () => {
    const text = JSON.stringify([{ name: "size/in-process", data: { pad: "€".repeat(1_000) } }]);
    const res = await stepflareFetch("http://stepflare.local/e/test-key", { method: "POST", headers: { "content-type": "application/json" }, body: text });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ids: string[] }).ids).toHaveLength(1);
  });
});

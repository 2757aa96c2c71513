/**
 * `POST /e/:key` through the Worker's fetch handler: accepted events are durable in their event
 * shards before their ids are returned and reach D1 history right after, invalid requests store
 * nothing, production mode checks event keys.
 */
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { decodeTime } from "ulid";
import { afterAll, describe, expect, it } from "vitest";
import { app } from "../../src/api/app";
import { MAX_EVENT_BYTES, MAX_EVENTS_PER_REQUEST } from "../../src/constants";
import { SCHEDULER_NAME } from "../../src/cron/heartbeat";
import { countRows, rows, type EventRow } from "./helpers/d1";
import { eventsInHistory, historyWritten } from "./helpers/event-shards";
import { waitFor } from "./helpers/wait";
import { postEvents, type IngestBody } from "./helpers/worker";

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** The D1 history rows of `ids`, once the shards have written what they hold. */
async function eventRows(ids: string[]): Promise<EventRow[]> {
  await historyWritten(ids);
  return rows<EventRow>("SELECT * FROM events WHERE internal_id IN (SELECT value FROM json_each(?)) ORDER BY internal_id", JSON.stringify(ids));
}

afterAll(async () => {
  // Any request arms the scheduler's heartbeat; it must not fire into the next test file.
  await runInDurableObject(env.SCHEDULER.getByName(SCHEDULER_NAME), (_instance, state) => state.storage.deleteAlarm());
});

describe("POST /e/:key accepts events", () => {
  it("stores a single event and returns its id", async () => {
    const before = Date.now();
    const res = await postEvents({ name: "shop/order.placed", data: { orderId: 7 } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ids: [expect.stringMatching(ULID)], status: 200 });
    expect(res.headers.get("x-inngest-server-kind")).toBe("dev");

    const [row] = await eventRows(res.body.ids);
    expect(row).toMatchObject({ internal_id: res.body.ids[0], id: res.body.ids[0], name: "shop/order.placed", target: null });
    expect(["pending", "routed"]).toContain(row!.status);
    expect(row!.received_at).toBeGreaterThanOrEqual(before);
    // Defaults applied at ingestion: `user` is {}, a missing `ts` is the time of receipt.
    expect(JSON.parse(row!.data)).toEqual({
      name: "shop/order.placed",
      data: { orderId: 7 },
      user: {},
      ts: row!.ts,
      id: res.body.ids[0],
      internalId: res.body.ids[0],
    });
    expect(row!.ts).toBeGreaterThanOrEqual(before);

    // The Queue delivers it to the consumer, which marks it routed.
    await waitFor("the event to be routed", async () => ((await eventRows(res.body.ids))[0]?.status === "routed" ? true : undefined));
  });

  it("stores an array of events in order, keeping a sender's id", async () => {
    const res = await postEvents([
      { name: "a/one", data: {} },
      { name: "a/two", id: "sender-key-1", ts: Date.UTC(2024, 0, 1) },
      { name: "a/three", data: { n: 3 }, v: "2024-01-01.1" },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.ids).toHaveLength(3);
    expect(new Set(res.body.ids).size).toBe(3);
    expect([...res.body.ids].sort()).toEqual(res.body.ids);

    const byId = new Map((await eventRows(res.body.ids)).map((r) => [r.internal_id, r]));
    expect(res.body.ids.map((id) => byId.get(id)?.name)).toEqual(["a/one", "a/two", "a/three"]);
    expect(byId.get(res.body.ids[1]!)).toMatchObject({ id: "sender-key-1", ts: Date.UTC(2024, 0, 1) });
    expect(JSON.parse(byId.get(res.body.ids[2]!)!.data)).toMatchObject({ data: { n: 3 }, v: "2024-01-01.1" });
  });

  it("drops data._inngest, which only the server may set", async () => {
    const res = await postEvents({ name: "a/sneaky", data: { keep: 1, _inngest: { fn_id: "someone-else" } } });
    const [row] = await eventRows(res.body.ids);
    expect(JSON.parse(row!.data).data).toEqual({ keep: 1 });
  });

  it("gives the same ids for the same x-inngest-event-id-seed and stores them once", async () => {
    const seedMillis = Date.UTC(2026, 0, 2, 3, 4, 5);
    const headers = { "x-inngest-event-id-seed": `${seedMillis},AAECAwQFBgcICQ==` };
    const payload = [{ name: "seeded/one" }, { name: "seeded/two" }];
    await eventsInHistory();
    const total = await countRows("events");

    const first = await postEvents(payload, { headers });
    const second = await postEvents(payload, { headers });
    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(first.body.ids.map((id) => decodeTime(id))).toEqual([seedMillis, seedMillis]);
    expect(new Set(first.body.ids).size).toBe(2);
    await eventsInHistory();
    expect(await countRows("events")).toBe(total + 2);
    expect(await eventRows(first.body.ids)).toHaveLength(2);

    // Another seed names other events (the index is added to the seed's last four bytes, as the
    // Go server does, so the seeds here differ in their first byte).
    const other = await postEvents(payload, { headers: { "x-inngest-event-id-seed": `${seedMillis},AQECAwQFBgcICQ==` } });
    expect(other.body.ids.some((id) => first.body.ids.includes(id))).toBe(false);
  });

  it(`accepts ${MAX_EVENTS_PER_REQUEST} events in one request`, { timeout: 60_000 }, async () => {
    await eventsInHistory();
    const total = await countRows("events");
    const res = await postEvents(Array.from({ length: MAX_EVENTS_PER_REQUEST }, (_, i) => ({ name: "bulk/item", data: { i } })));
    expect(res.status).toBe(200);
    expect(new Set(res.body.ids).size).toBe(MAX_EVENTS_PER_REQUEST);
    await waitFor("every event to reach D1 history", async () => ((await countRows("events")) === total + MAX_EVENTS_PER_REQUEST ? true : undefined), 30_000);
  });
});

describe("POST /e/:key rejects invalid requests whole", () => {
  const ok = { name: "good/event", data: {} };
  const cases: { what: string; body: unknown; error: RegExp }[] = [
    { what: "malformed JSON", body: '{"name": "x",', error: /^request body is not valid JSON/ },
    { what: "a body that is not an event", body: "42", error: /^request body must be an event object or an array of event objects$/ },
    { what: "a missing name", body: [ok, { data: {} }], error: /^event 1: "name" is required$/ },
    { what: "an empty name", body: [ok, { name: "" }], error: /^event 1: "name" is required$/ },
    {
      what: "an event over 512 KiB",
      body: [ok, { name: "big/event", data: { blob: "x".repeat(MAX_EVENT_BYTES) } }],
      error: new RegExp(`^event 1: event is \\d+ bytes as JSON, over the limit of ${MAX_EVENT_BYTES} bytes$`),
    },
    {
      what: `${MAX_EVENTS_PER_REQUEST + 1} events`,
      body: Array.from({ length: MAX_EVENTS_PER_REQUEST + 1 }, () => ok),
      error: new RegExp(`^request has ${MAX_EVENTS_PER_REQUEST + 1} events; at most ${MAX_EVENTS_PER_REQUEST} are accepted`),
    },
    {
      what: "a reserved inngest/ name",
      body: [ok, { name: "inngest/function.finished" }],
      error: /^event 1: "name" must not start with "inngest\/"/,
    },
    { what: "data that is an array", body: [ok, { name: "x/y", data: [1, 2] }], error: /^event 1: "data" must be an object$/ },
    { what: "data that is a string", body: { name: "x/y", data: "text" }, error: /^event 0: "data" must be an object$/ },
    { what: "a ts that is not a number", body: [ok, ok, { name: "x/y", ts: "yesterday" }], error: /^event 2: "ts" must be a number/ },
  ];

  it.each(cases)("rejects $what with 400 and stores nothing", async ({ body, error }) => {
    await eventsInHistory();
    const before = await countRows("events");
    const res = await postEvents(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ ids: [], status: 400, error: expect.stringMatching(error) } satisfies IngestBody);
    await eventsInHistory();
    expect(await countRows("events")).toBe(before);
  });
});

describe("POST /e/:key in production mode", () => {
  const prodEnv = { ...env, INNGEST_SIGNING_KEY: "signkey-test-abcd", INNGEST_EVENT_KEY: "k1, k2" };

  async function postProd(key: string, body: unknown) {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`http://stepflare.test/e/${key}`, { method: "POST", body: JSON.stringify(body) }), prodEnv, ctx);
    await waitOnExecutionContext(ctx);
    return { status: res.status, body: (await res.json()) as IngestBody, kind: res.headers.get("x-inngest-server-kind") };
  }

  it("refuses an unknown event key with 401 and stores nothing", async () => {
    await eventsInHistory();
    const before = await countRows("events");
    for (const key of ["k3", "k", "signkey-test-abcd"]) {
      expect(await postProd(key, { name: "prod/event" })).toEqual({
        status: 401,
        body: { ids: [], status: 401, error: "Event key not found" },
        kind: "cloud",
      });
    }
    await eventsInHistory();
    expect(await countRows("events")).toBe(before);
  });

  it("accepts each configured key", async () => {
    for (const key of ["k1", "k2"]) {
      const res = await postProd(key, { name: "prod/event", data: { key } });
      expect(res).toMatchObject({ status: 200, body: { status: 200, ids: [expect.stringMatching(ULID)] }, kind: "cloud" });
      expect(await eventRows(res.body.ids)).toHaveLength(1);
    }
  });

  it("still validates the body once the key is accepted", async () => {
    expect(await postProd("k2", { data: {} })).toMatchObject({ status: 400, body: { error: 'event 0: "name" is required' } });
  });
});

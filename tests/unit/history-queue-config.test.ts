import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HISTORY_CONSUMER_BATCH_SIZE, HISTORY_QUEUE_BATCH_SIZE } from "../../src/constants";

/** The `[[queues.consumers]]` block of wrangler.toml for `queue`. */
function consumerBlock(queue: string): string {
  const toml = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8");
  const block = toml.split("[[queues.consumers]]").find((b) => b.includes(`queue = "${queue}"`));
  if (!block) throw new Error(`wrangler.toml has no consumer for ${queue}`);
  return block.split("\n[")[0]!;
}

describe("history consumer settings", () => {
  it("wrangler.toml delivers HISTORY_QUEUE_BATCH_SIZE messages, written in whole slices", () => {
    const size = Number(/max_batch_size\s*=\s*(\d+)/.exec(consumerBlock("stepflare-history"))?.[1]);
    expect(size).toBe(HISTORY_QUEUE_BATCH_SIZE);
    expect(HISTORY_QUEUE_BATCH_SIZE % HISTORY_CONSUMER_BATCH_SIZE).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { interpretSdkResponse } from "../../src/protocol/sdk-response";
import { loneSurrogatePath } from "../../src/util/well-formed";

const SDK = new Headers({ "x-inngest-sdk": "inngest-js:v4.24.0", "content-type": "application/json" });

describe("loneSurrogatePath", () => {
  it("names the first string or key that holds a lone surrogate, and nothing for whole characters", () => {
    expect(loneSurrogatePath({ a: [1, "ok", { b: "x\ud800" }] })).toEqual(["a", 2, "b"]);
    expect(loneSurrogatePath({ ["k\udc00"]: 1 })).toEqual(["k\ufffd"]);
    expect(loneSurrogatePath("\ud800")).toEqual([]);
    expect(loneSurrogatePath({ a: "\ud83d\ude00", b: "\\ud800", c: null })).toBeNull();
  });
});

// Found by the request fuzzer: a step output of "\ud800" was stored, and the run's next call
// request could not be canonicalised, so its alarm retried every few seconds forever.
describe("an SDK answer holding a lone surrogate", () => {
  it("fails the run for good, in a step output, a result or a streamed answer", () => {
    const ops = '[{"id":"s","op":"StepRun","data":"\\ud800"}]';
    const streamed = JSON.stringify({ status: 206, body: ops });
    for (const [status, body] of [
      [206, ops],
      [200, '{"out":"\\udfff"}'],
      [201, streamed],
    ] as const) {
      expect(interpretSdkResponse({ status, headers: SDK, body }, 0), body).toMatchObject({
        kind: "error",
        retriable: false,
        error: { name: "TextNotUnicode", code: "text_not_unicode" },
      });
    }
  });

  it("leaves escaped backslashes and whole characters alone", () => {
    const res = interpretSdkResponse({ status: 200, headers: SDK, body: '{"a":"\\\\ud800","b":"\\ud83d\\ude00"}' }, 0);
    expect(res).toMatchObject({ kind: "complete", output: { a: "\\ud800", b: "\ud83d\ude00" } });
  });
});

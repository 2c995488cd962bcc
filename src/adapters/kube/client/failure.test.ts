/** How a failed list or watch is put in one line for the load's error and the log. */
import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { describeFailure } from "./failure.ts";

function watchError(status: number, text: string): Error {
  return Object.assign(new Error(text), { statusCode: status });
}

describe("describeFailure", () => {
  it.each([
    {
      name: "an API error: code, reason and the Status message, not client-node's headers",
      error: new ApiException(
        404,
        "Unknown API Status Code!",
        JSON.stringify({
          kind: "Status",
          reason: "NotFound",
          message: "the server could not find the requested resource",
        }),
        { "content-type": "application/json" },
      ),
      text: "404 NotFound: the server could not find the requested resource",
    },
    { name: "a watch refused with a status", error: watchError(410, "Gone"), text: "410: Gone" },
    {
      name: "a connection that failed: the cause says why",
      error: new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:1") }),
      text: "fetch failed: connect ECONNREFUSED 127.0.0.1:1",
    },
    { name: "anything else", error: "boom", text: "boom" },
  ])("$name", ({ error, text }) => {
    expect(describeFailure(error)).toBe(text);
  });
});

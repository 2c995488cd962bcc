/** What an API call that the twin refuses (an ApiError) answers, for tests of admission and eviction. */
import { ApiError, type Status } from "../../../src/twin/api/status.ts";

/** The Status the call was refused with, or undefined when it went through; any other error propagates. */
export function refusalOf(call: () => unknown): Status | undefined {
  try {
    call();
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return error.status;
    throw error;
  }
}

/** The Status the call was refused with; throws when the call went through. */
export function refusal(call: () => unknown): Status {
  const status = refusalOf(call);
  if (status === undefined) throw new Error("the call was not refused");
  return status;
}

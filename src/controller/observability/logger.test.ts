/** The controller's log lines, written to an in-memory stream and read back as JSON. */
import { describe, expect, it } from "vitest";
import { componentLogger, createRootLogger } from "./logger.ts";

function memory(): { destination: { write: (line: string) => void }; lines: () => Record<string, unknown>[] } {
  const written: string[] = [];
  return {
    destination: { write: (line: string) => written.push(line) },
    lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe("componentLogger", () => {
  it("writes one JSON line per call, named kubedrs, carrying the component and the logged object", () => {
    const sink = memory();
    const log = componentLogger(createRootLogger({ destination: sink.destination }), "executor");
    log.info({ vmi: "shop/web-1", from: "node-1", to: "node-2" }, "migration started");

    expect(sink.lines()).toEqual([
      expect.objectContaining({
        name: "kubedrs",
        component: "executor",
        level: "info",
        vmi: "shop/web-1",
        from: "node-1",
        to: "node-2",
        msg: "migration started",
      }),
    ]);
    expect(sink.lines()[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("keeps components apart on one root", () => {
    const sink = memory();
    const root = createRootLogger({ destination: sink.destination });
    componentLogger(root, "leader").warn("lost leadership");
    componentLogger(root, "policy-loader").error({ file: "policies/balance.yaml" }, "policy rejected");

    expect(sink.lines().map((line) => [line.component, line.level, line.msg])).toEqual([
      ["leader", "warn", "lost leadership"],
      ["policy-loader", "error", "policy rejected"],
    ]);
  });
});

describe("createRootLogger", () => {
  it.each([
    { level: undefined, written: ["info", "warn"] },
    { level: "debug", written: ["debug", "info", "warn"] },
    { level: "warn", written: ["warn"] },
    { level: "silent", written: [] },
  ])("at level $level writes $written", ({ level, written }) => {
    const sink = memory();
    const log = createRootLogger({ destination: sink.destination, ...(level && { level }) });
    log.trace("trace");
    log.debug("debug");
    log.info("info");
    log.warn("warn");

    expect(sink.lines().map((line) => line.msg)).toEqual(written);
  });

  it("refuses an unknown level, listing the known ones", () => {
    expect(() => createRootLogger({ level: "verbose" })).toThrow(
      'log level "verbose" is not one of trace, debug, info, warn, error, fatal, silent',
    );
  });
});

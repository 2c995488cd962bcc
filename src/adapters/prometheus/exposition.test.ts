import { describe, expect, it } from "vitest";
import { parseExposition } from "./exposition.ts";

describe("parseExposition", () => {
  it("reads each sample's name, labels (escapes kept) and value, and skips comments and blank lines", () => {
    const text = [
      "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.",
      "# TYPE node_cpu_seconds_total counter",
      'node_cpu_seconds_total{cpu="0",mode="user"} 12.5',
      "",
      'kubevirt_vmi_info{name="a \\"b\\"",os=""} 1',
      "up 1",
      "process_start_time_seconds 1.7e9",
    ].join("\n");
    expect(parseExposition(text)).toEqual([
      { name: "node_cpu_seconds_total", labels: { cpu: "0", mode: "user" }, value: 12.5 },
      { name: "kubevirt_vmi_info", labels: { name: 'a \\"b\\"', os: "" }, value: 1 },
      { name: "up", labels: {}, value: 1 },
      { name: "process_start_time_seconds", labels: {}, value: 1.7e9 },
    ]);
  });

  it("reads NaN and infinities as numbers", () => {
    const values = parseExposition('a NaN\nb{le="+Inf"} +Inf\nc -Inf').map((sample) => sample.value);
    expect(values).toEqual([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
  });

  it("names the line it cannot read", () => {
    expect(() => parseExposition("up 1\nnot a sample line at all")).toThrow("not an exposition line: not a sample");
  });
});

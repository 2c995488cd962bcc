import { describe, expect, it } from "vitest";
import { sampleHeatMap, sampleReport } from "./fixture.ts";
import { renderReportHtml } from "./html.ts";

const ATTACK = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

describe("the report page", () => {
  it("is one document with its style inline and nothing to fetch", () => {
    const html = renderReportHtml(sampleReport());
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<style>");
    expect(html).not.toMatch(/<script|<link|\bsrc=|\bhref=|@import|url\(/i);
    expect(html).toContain(
      'http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:"',
    );
  });

  it("escapes every string that comes from the report", () => {
    const base = sampleReport();
    const hostile = sampleReport({
      title: ATTACK,
      scenario: { ...base.scenario, name: ATTACK, description: ATTACK, hostTypes: [ATTACK], vmTypes: [ATTACK] },
      days: [ATTACK],
      strategies: [...base.strategies, ATTACK],
      results: [...base.results, { ...base.results[0]!, strategy: ATTACK, day: ATTACK }],
      heatMaps: [{ ...sampleHeatMap(ATTACK), day: ATTACK }],
      simplifications: { [ATTACK]: [ATTACK] },
      goals: [{ goal: ATTACK, met: false, detail: ATTACK }],
      twinCheck: { day: ATTACK, hours: 1, rows: [{ metric: ATTACK, replay: 1, twin: 2 }] },
      machine: { node: ATTACK, cpus: 1 },
      generatedAt: ATTACK,
    });
    const html = renderReportHtml(hostile);
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  });

  it("states each goal as met or not met", () => {
    const html = renderReportHtml(sampleReport());
    expect(html.match(/class="badge met">met</g)).toHaveLength(2);
    expect(html.match(/class="badge unmet">not met</g)).toHaveLength(1);
  });

  it("leaves out the per-day charts for one day, and the twin check when there is none", () => {
    const { twinCheck: _, ...base } = sampleReport();
    const html = renderReportHtml({
      ...base,
      days: ["20110303"],
      results: base.results.filter((r) => r.day === "20110303"),
    });
    expect(html).toContain('data-chart="imbalance"');
    expect(html).not.toContain('data-chart="imbalance-20110303"');
    expect(html).not.toContain('id="twin-check"');
  });
});

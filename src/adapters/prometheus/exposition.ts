/**
 * Prometheus' text exposition format, read back: what a /metrics page (node-exporter's, KubeVirt's,
 * the twin's, kubedrs' own) says, one sample per line. Comments and blank lines are skipped; a
 * sample with a timestamp after its value is not, since nothing here serves one.
 */

export interface ExpositionSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Prometheus writes infinities as +Inf and -Inf, which Number() does not read. */
const SPECIAL_VALUES: Readonly<Record<string, number>> = { "+Inf": Infinity, "-Inf": -Infinity, Inf: Infinity };

function valueOf(text: string): number {
  return SPECIAL_VALUES[text] ?? Number(text);
}

/** The samples of a page, in order; throws naming the first line it cannot read. */
export function parseExposition(text: string): ExpositionSample[] {
  const samples: ExpositionSample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, label = "", value = ""] of (match[2] ?? "").matchAll(LABEL_PAIR)) labels[label] = value;
    samples.push({ name: match[1] ?? "", labels, value: valueOf(match[3] ?? "") });
  }
  return samples;
}

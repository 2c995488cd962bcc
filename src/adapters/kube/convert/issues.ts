/**
 * What went wrong while converting one Kubernetes object. Every problem names the object and the
 * field; the caller decides whether a problem leaves the object out or falls back to a default.
 */

/** A converted object, or undefined when it had to be left out; warnings say why, one sentence each. */
export interface Converted<T> {
  readonly value: T | undefined;
  readonly warnings: readonly string[];
}

/** A conversion that always yields a value: odd fields fell back to defaults, and the warnings say which. */
export interface WithWarnings<T> {
  readonly value: T;
  readonly warnings: readonly string[];
}

export class Issues {
  /** Names the object, e.g. "VirtualMachineInstance default/web-1". */
  readonly subject: string;
  private readonly problems: string[] = [];
  private readonly notes: string[] = [];

  constructor(subject: string) {
    this.subject = subject;
  }

  /** Records a problem with one field; `where` is its path, e.g. "spec.evictionStrategy". */
  problem(where: string, message: string): void {
    const text = where === "" ? message : `${where}: ${message}`;
    if (!this.problems.includes(text)) this.problems.push(text);
  }

  /** Records a remark that does not cost the object its place, e.g. an odd Lease that is ignored. */
  note(message: string): void {
    this.notes.push(`${this.subject}: ${message}`);
  }

  /** Takes over warnings of a related object (a Lease, a NodeResourceTopology); they name their own subject. */
  adopt<T>(converted: Converted<T>): T | undefined {
    this.notes.push(...converted.warnings);
    return converted.value;
  }

  get hasProblems(): boolean {
    return this.problems.length > 0;
  }

  /** Strict: any problem leaves the object out. */
  result<T>(value: T): Converted<T> {
    if (!this.hasProblems) return { value, warnings: [...this.notes] };
    const reasons = this.problems.map((problem) => `${this.subject} left out: ${problem}`);
    return { value: undefined, warnings: [...this.notes, ...reasons] };
  }

  /** Lenient: the caller already replaced odd fields by defaults; `consequence` says so in each warning. */
  withDefaults<T>(value: T, consequence: string): WithWarnings<T> {
    const fallbacks = this.problems.map((problem) => `${this.subject}: ${problem}; ${consequence}`);
    return { value, warnings: [...this.notes, ...fallbacks] };
  }
}

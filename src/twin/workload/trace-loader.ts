/**
 * The one place the workload model touches the disk: trace files, read once each and kept in
 * memory. A scenario names a trace by absolute path or relative to its trace directory.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { type TraceLibrary, parseTrace } from "./trace.ts";

export function resolveTracePath(file: string, baseDirectory: string): string {
  return isAbsolute(file) ? file : resolve(baseDirectory, file);
}

export class FileTraceLibrary implements TraceLibrary {
  private readonly baseDirectory: string;
  private readonly loaded = new Map<string, Float64Array>();

  constructor(baseDirectory: string) {
    this.baseDirectory = baseDirectory;
  }

  samples(file: string): Float64Array {
    const path = resolveTracePath(file, this.baseDirectory);
    let samples = this.loaded.get(path);
    if (!samples) {
      samples = parseTrace(readTraceFile(path), path);
      this.loaded.set(path, samples);
    }
    return samples;
  }
}

function readTraceFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot read the trace ${path}: ${reason}`, { cause: error });
  }
}

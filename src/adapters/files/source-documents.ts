/**
 * Reads YAML or JSON text into documents that remember where each field came from, so a
 * validation error can name the file, line and column of the field it is about.
 */
import { isNode, LineCounter, parseAllDocuments, type Document } from "yaml";

export interface SourceDocument {
  readonly file: string;
  /** The plain value of the document. */
  readonly value: unknown;
  /** 1-based line where the document starts. */
  readonly line: number;
  locate(path: readonly (string | number)[]): { line: number; column: number };
}

export interface SyntaxProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface ParsedSource {
  readonly documents: readonly SourceDocument[];
  readonly problems: readonly SyntaxProblem[];
}

function locator(document: Document, lines: LineCounter): SourceDocument["locate"] {
  return (path) => {
    // The deepest node on the path that exists: a missing field is reported at its parent.
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node: unknown = depth === 0 ? document.contents : document.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) {
        const { line, col } = lines.linePos(node.range[0]);
        return { line, column: col };
      }
    }
    return { line: 1, column: 1 };
  };
}

/** Parses every document in a YAML (or JSON) text; empty documents are skipped. */
export function parseSource(file: string, text: string): ParsedSource {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const all = Array.isArray(parsed) ? parsed : [];
  const problems: SyntaxProblem[] = [];
  const documents: SourceDocument[] = [];
  for (const document of all) {
    for (const error of document.errors) {
      const { line, col } = lines.linePos(error.pos[0]);
      problems.push({ file, line, column: col, message: error.message.split("\n")[0] ?? error.message });
    }
    if (document.errors.length > 0 || document.contents === null) continue;
    const start = document.contents.range?.[0] ?? 0;
    documents.push({
      file,
      value: document.toJS({ maxAliasCount: 100 }) as unknown,
      line: lines.linePos(start).line,
      locate: locator(document, lines),
    });
  }
  return { documents, problems };
}

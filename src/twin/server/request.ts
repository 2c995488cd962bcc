/** Request plumbing: bodies, query parameters and JSON responses. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, errors, type Status } from "../api/status.ts";

const MAX_BODY_BYTES = 16 * 2 ** 20;
/** Characters per write when a list is streamed. */
const LIST_CHUNK = 256 * 1024;

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw errors.badRequest("request body too large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function readJson(request: IncomingMessage): Promise<unknown> {
  const text = await readBody(request);
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw errors.badRequest(`invalid JSON in request body: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function sendJson(response: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(code, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

/** Resolves when the socket takes more, or when the client went away. */
function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off("drain", done);
      response.off("close", done);
      resolve();
    };
    response.on("drain", done);
    response.on("close", done);
  });
}

/**
 * A large list, written item by item: 30,000 pods are 100 MB of JSON, which as one string would
 * double the twin's peak memory and hold its event loop (and so its clock) for a second or more.
 * The items are stored objects, never mutated, so writing them later sees them as listed.
 */
export async function streamJson(
  response: ServerResponse,
  body: Record<string, unknown>,
  arrayKey: string,
): Promise<void> {
  const items = (body[arrayKey] ?? []) as readonly unknown[];
  response.writeHead(200, { "content-type": "application/json" });
  // The array goes last, so the head's JSON ends with its empty brackets and the closing brace.
  const { [arrayKey]: _, ...rest } = body;
  let chunk = JSON.stringify({ ...rest, [arrayKey]: [] }).slice(0, -2);
  for (let index = 0; index < items.length; index += 1) {
    chunk += (index === 0 ? "" : ",") + JSON.stringify(items[index]);
    if (chunk.length < LIST_CHUNK) continue;
    const flushed = response.write(chunk);
    chunk = "";
    if (!flushed) await drained(response);
    if (response.destroyed) return;
  }
  response.end(`${chunk}]}`);
}

export function sendStatus(response: ServerResponse, status: Status): void {
  sendJson(response, status.code, status);
}

export function sendError(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  const status =
    error instanceof ApiError
      ? error.status
      : errors.internal(error instanceof Error ? error.message : String(error)).status;
  sendStatus(response, status);
}

export function integerParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw errors.badRequest(`invalid value for ${name}: ${JSON.stringify(raw)}`);
  return value;
}

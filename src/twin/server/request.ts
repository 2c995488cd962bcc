/** Request plumbing: bodies, query parameters and JSON responses. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, errors, type Status } from "../api/status.ts";

const MAX_BODY_BYTES = 16 * 2 ** 20;

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

import type { ServerResponse } from 'node:http';

/**
 * Control-API answers in Tyk's shapes: `{"status":"error","message":...}` for errors and
 * `{"key":...,"status":"ok","action":...}` for key changes, JSON with a trailing newline (Go's
 * encoder), always `Content-Type: application/json`.
 */
export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

export const apiError = (res: ServerResponse, status: number, message: string) => writeJson(res, status, { status: 'error', message });
export const apiOk = (res: ServerResponse, message = '') => writeJson(res, 200, { status: 'ok', message });

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERRORS, type ErrorCode } from './catalogue.js';
import { jsonErrorBody, xmlContentTypeOf, xmlErrorBody } from './tyk-body.js';

export interface ErrorResponseSettings {
  /** Tyk's `hide_generator_header`: leave out `X-Generator`. */
  readonly hideGeneratorHeader: boolean;
  /** Tyk's `close_connections`: send `Connection: close` with every error. */
  readonly closeConnections: boolean;
}

export interface ErrorResponder {
  /** Answers with the catalogue entry's status and message. */
  send(req: IncomingMessage, res: ServerResponse, code: ErrorCode): void;
  /** Answers with any status and message in Tyk's error shape (plugin overrides use this). */
  sendMessage(req: IncomingMessage, res: ServerResponse, status: number, message: string): void;
}

export const GENERATOR_HEADER_VALUE = 'hookgate';

/**
 * Writes client errors in Tyk's shape. JSON bodies of catalogue errors are rendered once here,
 * not per request.
 */
export function createErrorResponder(settings: ErrorResponseSettings): ErrorResponder {
  const rendered = new Map<ErrorCode, Buffer>();
  for (const code of Object.keys(ERRORS) as ErrorCode[]) {
    rendered.set(code, Buffer.from(jsonErrorBody(ERRORS[code].message)));
  }

  function write(req: IncomingMessage, res: ServerResponse, status: number, json: Buffer | string, message: string) {
    // Already answered (a limit such as write_timeout answered first): nothing left to say.
    if (res.writableEnded) return;
    if (res.headersSent) {
      // Too late for an error body: the client already has a status. Cut the response short
      // so the client sees a truncated body rather than a body that looks complete.
      res.destroy();
      return;
    }
    const xmlType = xmlContentTypeOf(req.headers['content-type']);
    const body = xmlType === undefined ? json : xmlErrorBody(message);
    res.statusCode = status;
    res.setHeader('content-type', xmlType ?? 'application/json');
    res.setHeader('content-length', Buffer.byteLength(body));
    if (!settings.hideGeneratorHeader) res.setHeader('x-generator', GENERATOR_HEADER_VALUE);
    if (settings.closeConnections) res.setHeader('connection', 'close');
    res.end(body);
  }

  return {
    send(req, res, code) {
      const def = ERRORS[code];
      write(req, res, def.status, rendered.get(code) as Buffer, def.message);
    },
    sendMessage(req, res, status, message) {
      write(req, res, status, jsonErrorBody(message), message);
    },
  };
}

/**
 * A whole HTTP/1.1 error response as bytes, for answers written straight to a socket: before a
 * request exists (too many connections) or when the parser gave up on one (timeouts, oversized
 * headers). It always closes the connection, which is in an unknown state.
 */
export function rawErrorResponse(code: ErrorCode, settings: ErrorResponseSettings): Buffer {
  const def = ERRORS[code];
  const body = jsonErrorBody(def.message);
  const head = [
    `HTTP/1.1 ${def.status} ${REASONS[def.status] ?? 'Error'}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...(settings.hideGeneratorHeader ? [] : [`X-Generator: ${GENERATOR_HEADER_VALUE}`]),
  ];
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`);
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
  503: 'Service Unavailable',
};

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

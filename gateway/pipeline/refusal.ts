import { ERRORS, type ErrorCode, type ErrorResponder } from '../errors/index.js';
import type { RequestContext } from './request-context.js';

/**
 * A response a stage decided on instead of going upstream, as data: auth alternatives that fail
 * are tried one after another and only the last refusal is written, so none writes directly.
 */
export interface Refusal {
  readonly status: number;
  /** The `{"error": ...}` text. */
  readonly message: string;
  /** Set when status and message are a catalogue entry's (its body is pre-rendered). */
  readonly code?: ErrorCode | undefined;
  /** Extra response headers (WWW-Authenticate, a plugin's override headers). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** A plugin's own response body (return_overrides without an error), sent as is. */
  readonly raw?: string | undefined;
}

export function refusalOf(code: ErrorCode, headers?: Readonly<Record<string, string>>): Refusal {
  const { status, message } = ERRORS[code];
  return headers === undefined ? { status, message, code } : { status, message, code, headers };
}

export function messageRefusal(status: number, message: string, headers?: Readonly<Record<string, string>>): Refusal {
  return headers === undefined ? { status, message } : { status, message, headers };
}

/** Writes a refusal; returns false so a stage can `return writeRefusal(...)`. */
export function writeRefusal(ctx: RequestContext, errors: ErrorResponder, refusal: Refusal): false {
  for (const [name, value] of Object.entries(refusal.headers ?? {})) ctx.res.setHeader(name, value);
  if (refusal.raw !== undefined) {
    ctx.res.statusCode = refusal.status;
    ctx.res.end(refusal.raw);
  } else if (refusal.code !== undefined) {
    errors.send(ctx.req, ctx.res, refusal.code);
  } else {
    errors.sendMessage(ctx.req, ctx.res, refusal.status, refusal.message);
  }
  return false;
}

import type { Logger } from '../logging/index.js';
import { ERRORS, type ErrorResponder } from '../errors/index.js';
import type { ProxyOutcome } from '../proxy/index.js';
import type { RequestContext } from './request-context.js';

/** How a request ended, for the access log and metrics. */
export interface Completion {
  readonly status: number;
  readonly upstreamLatencyMs: number;
}

/**
 * Answers the client for a failed upstream exchange (unless the client is gone), logs the
 * failure with the API and upstream, and says how the request ended.
 */
export function completeUpstream(ctx: RequestContext, outcome: ProxyOutcome, errors: ErrorResponder, proxyLog: Logger): Completion {
  if (outcome.error === undefined) return { status: outcome.status, upstreamLatencyMs: outcome.upstreamLatencyMs };
  if (outcome.error === 'HG_ERR_CLIENT_CLOSED_REQUEST') {
    // A limit (read_timeout, write_timeout) may have answered the client before the connection went.
    const status = ctx.res.writableEnded ? ctx.res.statusCode : ERRORS[outcome.error].status;
    return { status, upstreamLatencyMs: outcome.upstreamLatencyMs };
  }
  if (outcome.error === 'HG_ERR_REQUEST_TOO_LARGE') {
    // A chunked body passed the limit on its way upstream: the rest of it is never read.
    proxyLog.warn({ api_id: ctx.api.id, limit: 'max_request_body', max: ctx.maxBodyBytes }, 'request body over the limit');
    if (!ctx.res.headersSent) ctx.res.setHeader('Connection', 'close');
    errors.send(ctx.req, ctx.res, outcome.error);
    return { status: ctx.res.headersSent ? outcome.status : 413, upstreamLatencyMs: outcome.upstreamLatencyMs };
  }
  const cause = outcome.cause as { message?: string; code?: string } | undefined;
  proxyLog.error(
    { api_id: ctx.api.id, upstream: ctx.api.target.origin, error_code: outcome.error, err: cause?.message, cause_code: cause?.code, response_started: ctx.res.headersSent },
    'upstream request failed',
  );
  // Once the upstream's status went out, the only honest signal left is a cut connection.
  const status = ctx.res.headersSent ? outcome.status : ERRORS[outcome.error].status;
  errors.send(ctx.req, ctx.res, outcome.error);
  return { status, upstreamLatencyMs: outcome.upstreamLatencyMs };
}

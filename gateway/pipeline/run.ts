import type { BufferedResponse } from '../../coprocess/index.js';
import type { ErrorResponder } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import { logRefusal, writeHeadFlat, type BufferedOutcome, type Refusal, type UpstreamProxy } from '../proxy/index.js';
import { runResponseHooks, type HookDeps } from './hooks.js';
import type { RequestContext } from './request-context.js';
import { persistStage } from './sessions.js';
import type { Stage } from './stages.js';
import { completeUpstream, type Completion } from './upstream.js';

export interface PipelineDeps extends HookDeps {
  readonly proxy: UpstreamProxy;
  readonly proxyLog: Logger;
  /** grpc_send_max_size: caps bodies buffered for hooks, both ways. */
  readonly sendMaxBytes: number;
}

const ended = (ctx: RequestContext): Completion => ({ status: ctx.res.statusCode, upstreamLatencyMs: -1 });

function writeBuffered(ctx: RequestContext, response: BufferedResponse): void {
  if (ctx.res.writableEnded) return; // answered already (write_timeout)
  const headers = [...response.headers, ...ctx.responseHeaders, 'Content-Length', String(response.body.length)];
  if (ctx.closing()) headers.push('Connection', 'close');
  writeHeadFlat(ctx.res, response.status, undefined, headers);
  ctx.res.end(response.body);
}

/**
 * An API's stages (see stagesFor), then the upstream, then response hooks. Any stage may answer
 * the request itself; then the rest does not run. A session a stage changed but could not write
 * back (the request ended early) is written afterwards, so nothing is lost.
 */
export async function runPipeline(ctx: RequestContext, stages: readonly Stage[], deps: PipelineDeps): Promise<Completion> {
  try {
    for (const stage of stages) {
      if (!(await stage(ctx, deps))) return ended(ctx);
    }
  } finally {
    if (ctx.sessionModified) void persistStage(ctx, { ...deps.sessions, errors: SILENT_ERRORS }).catch(() => undefined);
  }
  const responseHooks = ctx.api.plugins?.response ?? [];

  if (responseHooks.length === 0) {
    return new Promise((resolve) => {
      const refused = deps.proxy.forward(ctx, (outcome) => resolve(completeUpstream(ctx, outcome, deps.errors, deps.proxyLog)));
      if (refused !== undefined) {
        logRefusal(deps.proxyLog, ctx.api.id, refused);
        deps.errors.send(ctx.req, ctx.res, refused.code);
        resolve(ended(ctx));
      }
    });
  }

  let refused: Refusal | undefined;
  const outcome = await new Promise<BufferedOutcome | undefined>((resolve) => {
    refused = deps.proxy.forwardBuffered(ctx, deps.sendMaxBytes, resolve);
    if (refused !== undefined) resolve(undefined);
  });
  if (outcome === undefined) {
    const refusal = refused ?? { code: 'HG_ERR_REQUEST_MALFORMED', reason: 'refused' };
    logRefusal(deps.proxyLog, ctx.api.id, refusal);
    deps.errors.send(ctx.req, ctx.res, refusal.code);
    return ended(ctx);
  }
  if (outcome.response === undefined) {
    if (outcome.error === 'HG_ERR_UPSTREAM_TOO_LARGE') {
      deps.log.error(`resp_large:${ctx.api.id}`, { api_id: ctx.api.id, limit: deps.sendMaxBytes }, 'upstream response too large for the response hooks (grpc_send_max_size)');
      deps.errors.send(ctx.req, ctx.res, 'HG_ERR_UPSTREAM_TOO_LARGE');
      return { status: ctx.res.statusCode, upstreamLatencyMs: outcome.upstreamLatencyMs };
    }
    return completeUpstream(ctx, outcome, deps.errors, deps.proxyLog);
  }
  const final = await runResponseHooks(ctx, outcome.response, responseHooks, deps);
  if (final !== undefined) writeBuffered(ctx, final);
  return { status: ctx.res.statusCode, upstreamLatencyMs: outcome.upstreamLatencyMs };
}

/** Error responses for a write-back after the response went out: nothing left to answer. */
const SILENT_ERRORS: ErrorResponder = { send: () => undefined, sendMessage: () => undefined };

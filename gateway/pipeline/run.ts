import type { BufferedResponse } from '../../coprocess/index.js';
import { ERRORS } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import type { BufferedOutcome, UpstreamProxy } from '../proxy/index.js';
import { drainRest, readBody } from './body.js';
import { runRequestHook, runResponseHooks, type HookDeps } from './hooks.js';
import type { RequestContext } from './request-context.js';
import { completeUpstream, type Completion } from './upstream.js';

export interface PipelineDeps extends HookDeps {
  readonly proxy: UpstreamProxy;
  readonly proxyLog: Logger;
  /** grpc_send_max_size: caps bodies buffered for hooks, both ways. */
  readonly sendMaxBytes: number;
}

const ended = (ctx: RequestContext): Completion => ({ status: ctx.res.statusCode, upstreamLatencyMs: -1 });

function writeBuffered(ctx: RequestContext, response: BufferedResponse): void {
  const headers = [...response.headers, 'Content-Length', String(response.body.length)];
  if (ctx.closing()) headers.push('Connection', 'close');
  ctx.res.writeHead(response.status, headers);
  ctx.res.end(response.body);
}

/**
 * An API with plugin hooks, in Tyk's chain order: read the body (hooks get it whole), pre hooks,
 * the auth hook, post-key-auth hooks, post hooks, the upstream, response hooks. Any stage may
 * answer the request itself; then the rest does not run.
 */
export async function runPluginPipeline(ctx: RequestContext, deps: PipelineDeps): Promise<Completion> {
  const plan = ctx.api.plugins;
  if (plan === undefined) throw new Error('runPluginPipeline needs an API with plugins');
  const requestHooks = [...plan.pre, ...(plan.authCheck === undefined ? [] : [plan.authCheck]), ...plan.postKeyAuth, ...plan.post];

  if (requestHooks.length > 0) {
    const body = await readBody(ctx.req, deps.sendMaxBytes);
    if (!body.ok) {
      if (body.reason === 'aborted') return { status: ERRORS.HG_ERR_CLIENT_CLOSED_REQUEST.status, upstreamLatencyMs: -1 };
      deps.log.warn(`body:${ctx.api.id}`, { api_id: ctx.api.id, reason: body.detail }, 'request body too large for the plugin hooks');
      const rest = await drainRest(ctx.req);
      if (rest === 'gone') return { status: ERRORS.HG_ERR_CLIENT_CLOSED_REQUEST.status, upstreamLatencyMs: -1 };
      if (rest === 'over_cap') ctx.res.setHeader('Connection', 'close');
      deps.errors.send(ctx.req, ctx.res, 'HG_ERR_REQUEST_TOO_LARGE');
      return ended(ctx);
    }
    ctx.buffered = body.body;
    for (const hook of requestHooks) {
      if (!(await runRequestHook(ctx, hook, deps))) return ended(ctx);
    }
  }

  if (plan.response.length === 0) {
    return new Promise((resolve) => {
      const refused = deps.proxy.forward(ctx, (outcome) => resolve(completeUpstream(ctx, outcome, deps.errors, deps.proxyLog)));
      if (refused !== undefined) {
        deps.errors.send(ctx.req, ctx.res, 'HG_ERR_REQUEST_MALFORMED');
        resolve(ended(ctx));
      }
    });
  }

  const outcome = await new Promise<BufferedOutcome | undefined>((resolve) => {
    const refused = deps.proxy.forwardBuffered(ctx, deps.sendMaxBytes, resolve);
    if (refused !== undefined) resolve(undefined);
  });
  if (outcome === undefined) {
    deps.errors.send(ctx.req, ctx.res, 'HG_ERR_REQUEST_MALFORMED');
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
  const final = await runResponseHooks(ctx, outcome.response, plan.response, deps);
  if (final !== undefined) writeBuffered(ctx, final);
  return { status: ctx.res.statusCode, upstreamLatencyMs: outcome.upstreamLatencyMs };
}

import { performance } from 'node:perf_hooks';
import {
  applyResponseReply,
  buildMiniRequest,
  buildResponseObject,
  canonicalHeaderKey,
  computeRequestChanges,
  decideOverrides,
  DispatchError,
  sessionFromAuthReply,
  type BufferedResponse,
  type CoprocessObject,
  type CoprocessObject__Output,
  type HookType__Output,
  type PluginClients,
} from '../../coprocess/index.js';
import type { HookPoint, HookSpec } from '../apidef/index.js';
import type { ErrorCode, ErrorResponder } from '../errors/index.js';
import type { ThrottledLog } from '../logging/index.js';
import type { GatewayMetrics } from '../metrics/index.js';
import { sessionToProto } from '../session/index.js';
import type { EventDispatcher } from './events.js';
import type { RequestContext } from './request-context.js';
import { attachPluginSession, cachedExtractorSession, type SessionDeps } from './sessions.js';

export interface HookDeps {
  readonly errors: ErrorResponder;
  readonly clients: PluginClients;
  readonly events: EventDispatcher;
  readonly metrics: GatewayMetrics;
  readonly log: ThrottledLog;
  readonly sessions: SessionDeps;
}

/** The session as hooks see it: every field, including the ones Tyk leaves out (docs/hooks.md). */
const protoSessionOf = (ctx: RequestContext) => (ctx.session === undefined ? undefined : sessionToProto(ctx.session, ctx.sessionKey ?? ''));

const HOOK_TYPES: Record<HookPoint, HookType__Output> = {
  pre: 'Pre',
  auth_check: 'CustomKeyCheck',
  post_key_auth: 'PostKeyAuth',
  post: 'Post',
  response: 'Response',
};

/** W3C trace context of the request, passed on to the plugin as gRPC metadata. */
function traceMetadata(ctx: RequestContext): Record<string, string> | undefined {
  const traceparent = ctx.header('traceparent');
  if (traceparent === undefined) return undefined;
  const tracestate = ctx.header('tracestate');
  return tracestate === undefined ? { traceparent } : { traceparent, tracestate };
}

/** The key Tyk reports in AuthFailure for a custom-auth refusal: the coprocess auth header's value. */
function authHeaderValue(ctx: RequestContext): string {
  const name = ctx.api.definition.auth_configs['coprocess']?.auth_header_name || 'Authorization';
  return ctx.header(name) ?? '';
}

async function call(ctx: RequestContext, hook: HookSpec, object: CoprocessObject, deps: HookDeps): Promise<CoprocessObject__Output | DispatchError> {
  const plan = ctx.api.plugins;
  if (plan === undefined) return new DispatchError('not_ready', 'the API has no plugin server');
  const started = performance.now();
  try {
    return await deps.clients.get(plan.server).dispatch(object, hook.deadlineMs, traceMetadata(ctx));
  } catch (err) {
    const failure = err instanceof DispatchError ? err : new DispatchError('status', String(err), undefined, { cause: err });
    deps.metrics.hookError(ctx.api.id, hook.name, hook.point, failure.label);
    return failure;
  } finally {
    deps.metrics.hookDone(ctx.api.id, hook.name, hook.point, (performance.now() - started) / 1000);
  }
}

/**
 * A failed call fails the request closed: 403 "Key not authorised" for the auth hook, 413 when
 * the request was too large to send, 500 "Middleware error" otherwise, unless the hook is
 * fail_open (non-auth hooks only), which lets the request continue unchanged and counts it.
 * Returns true when the request continues.
 */
function failed(ctx: RequestContext, hook: HookSpec, failure: DispatchError, deps: HookDeps): boolean {
  const fields = { api_id: ctx.api.id, hook: hook.name, hook_type: hook.point, plugin_server: ctx.api.plugins?.server, failure: failure.failure, code: failure.label, err: failure.message };
  if (failure.failure === 'too_large') {
    deps.log.warn(`too_large:${ctx.api.id}:${hook.name}`, fields, 'request too large for the plugin hook');
    deps.errors.send(ctx.req, ctx.res, 'HG_ERR_REQUEST_TOO_LARGE');
    return false;
  }
  if (hook.failOpen) {
    deps.metrics.hookFailedOpen(ctx.api.id, hook.name, hook.point);
    deps.log.warn(`open:${ctx.api.id}:${hook.name}:${failure.failure}`, fields, 'hook failed; continuing because it is fail_open');
    return true;
  }
  deps.log.error(`fail:${ctx.api.id}:${hook.name}:${failure.failure}`, fields, 'hook failed; request refused');
  if (hook.point === 'auth_check') {
    deps.events.authFailure(ctx, authHeaderValue(ctx));
    deps.errors.send(ctx.req, ctx.res, 'HG_ERR_AUTH_HOOK_FAILED');
  } else {
    deps.errors.send(ctx.req, ctx.res, 'HG_ERR_HOOK_FAILED');
  }
  return false;
}

function refuse(ctx: RequestContext, code: ErrorCode, deps: HookDeps, hook: HookSpec, why: string): false {
  deps.log.warn(`refuse:${ctx.api.id}:${hook.name}:${code}`, { api_id: ctx.api.id, hook: hook.name, hook_type: hook.point, reason: why }, 'hook reply refused');
  deps.errors.send(ctx.req, ctx.res, code);
  return false;
}

/**
 * One request hook, as Tyk's ProcessRequest runs it (protocol.md 2.4): build the Object, call the
 * plugin, apply the returned request, then `return_overrides`, then (auth hook) the session.
 * Returns true when the request goes on to the next stage; false when a response was written.
 */
export async function runRequestHook(ctx: RequestContext, hook: HookSpec, deps: HookDeps): Promise<boolean> {
  const plan = ctx.api.plugins;
  if (plan === undefined) return true;
  // The ID extractor (protocol.md 5) answers from its cache without calling the plugin.
  let sessionId: string | undefined;
  if (hook.point === 'auth_check' && plan.idExtractor !== undefined) {
    const cached = await cachedExtractorSession(ctx, deps.sessions, plan.idExtractor);
    if (cached.kind === 'answered') return false;
    if (cached.kind === 'hit') return true;
    sessionId = cached.sessionId;
  }
  const sent = buildMiniRequest(ctx, hook.rawBodyOnly);
  const object: CoprocessObject = { hook_type: HOOK_TYPES[hook.point], hook_name: hook.name, request: sent, spec: plan.spec };
  const session = hook.point === 'post_key_auth' || hook.point === 'post' ? protoSessionOf(ctx) : undefined;
  if (session !== undefined) {
    object.session = session;
    object.metadata = session.metadata;
  }

  const reply = await call(ctx, hook, object, deps);
  if (reply instanceof DispatchError) return failed(ctx, hook, reply, deps);

  const changes = computeRequestChanges(ctx, reply.request);
  if (!changes.ok) return refuse(ctx, 'HG_ERR_HOOK_FAILED', deps, hook, changes.reason);
  if (changes.changes !== undefined) ctx.apply(changes.changes);

  const decision = decideOverrides(reply.request?.return_overrides ?? null);
  if (decision.kind === 'invalid') return refuse(ctx, 'HG_ERR_HOOK_FAILED', deps, hook, decision.reason);
  if (decision.kind !== 'none') {
    for (const [name, value] of Object.entries(decision.headers)) ctx.res.setHeader(canonicalHeaderKey(name), value);
    if (decision.kind === 'error') {
      const token = reply.session?.metadata['token'] ?? reply.metadata['token'] ?? '';
      deps.events.authFailure(ctx, token);
      deps.errors.sendMessage(ctx.req, ctx.res, decision.status, decision.message);
    } else {
      ctx.res.statusCode = decision.status;
      ctx.res.end(decision.body);
    }
    return false;
  }

  if (hook.point === 'auth_check') {
    const auth = sessionFromAuthReply(reply, ctx.api.orgId);
    if (!auth.ok) {
      deps.events.authFailure(ctx, authHeaderValue(ctx));
      return refuse(ctx, 'HG_ERR_AUTH_NO_SESSION', deps, hook, auth.reason);
    }
    return attachPluginSession(ctx, deps.sessions, auth.session, sessionId ?? auth.token);
  }
  return true;
}

/**
 * Response hooks in order (protocol.md 2.11), each seeing the previous one's result. Returns the
 * response to write, or undefined when an error response was written instead.
 */
export async function runResponseHooks(ctx: RequestContext, upstream: BufferedResponse, hooks: readonly HookSpec[], deps: HookDeps): Promise<BufferedResponse | undefined> {
  const plan = ctx.api.plugins;
  if (plan === undefined) return upstream;
  let response = upstream;
  for (const hook of hooks) {
    const sentResponse = buildResponseObject(response, hook.rawBodyOnly);
    const session = protoSessionOf(ctx);
    const object: CoprocessObject = {
      hook_type: 'Response',
      hook_name: hook.name,
      request: buildMiniRequest(ctx, hook.rawBodyOnly),
      session: session ?? {},
      metadata: session?.metadata ?? {},
      spec: plan.spec,
      response: sentResponse,
    };
    const reply = await call(ctx, hook, object, deps);
    if (reply instanceof DispatchError) {
      if (!failed(ctx, hook, reply, deps)) return undefined;
      continue;
    }
    const applied = applyResponseReply(sentResponse, reply.response);
    if (!applied.ok) {
      if (hook.failOpen) {
        deps.metrics.hookFailedOpen(ctx.api.id, hook.name, hook.point);
        deps.log.warn(`open:${ctx.api.id}:${hook.name}:reply`, { api_id: ctx.api.id, hook: hook.name, reason: applied.reason }, 'hook reply unusable; continuing because it is fail_open');
        continue;
      }
      refuse(ctx, 'HG_ERR_HOOK_FAILED', deps, hook, applied.reason);
      return undefined;
    }
    response = applied.response;
  }
  return response;
}

import { performance } from 'node:perf_hooks';
import {
  applyResponseReply,
  buildMiniRequest,
  buildResponseObject,
  canonicalHeaderKey,
  computeRequestChanges,
  decideOverrides,
  DispatchError,
  type BufferedResponse,
  type CoprocessObject,
  type CoprocessObject__Output,
  type HookType__Output,
  type PluginClients,
} from '../../coprocess/index.js';
import type { HookPoint, HookSpec } from '../apidef/index.js';
import type { CertificateStore } from '../certs/index.js';
import type { ErrorResponder } from '../errors/index.js';
import type { ThrottledLog } from '../logging/index.js';
import type { GatewayMetrics } from '../metrics/index.js';
import { sessionToProto } from '../session/index.js';
import type { EventDispatcher } from './events.js';
import type { RequestContext } from './request-context.js';
import { messageRefusal, refusalOf, writeRefusal, type Refusal } from './refusal.js';
import type { JwksCache } from './auth/index.js';
import type { SessionDeps } from './sessions.js';

/** The certificate store as requests use it (static mTLS, certificate auth, binding). */
export interface CertDeps {
  readonly store: CertificateStore;
  /** `security.allow_unsafe_dynamic_mtls_token`. */
  readonly allowUnsafeDynamicMtlsToken: boolean;
}

export interface HookDeps {
  readonly errors: ErrorResponder;
  readonly certs: CertDeps;
  readonly clients: PluginClients;
  readonly events: EventDispatcher;
  readonly metrics: GatewayMetrics;
  readonly log: ThrottledLog;
  readonly sessions: SessionDeps;
  /** JWKS fetched for JWT auth, by URL. */
  readonly jwks: JwksCache;
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
export function authHeaderValue(ctx: RequestContext): string {
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

/** What calling a request hook came to. */
export type HookStep =
  | { readonly kind: 'replied'; readonly reply: CoprocessObject__Output }
  /** The call failed and the hook is fail_open: the request goes on unchanged. */
  | { readonly kind: 'skipped' }
  /** The request ends here; `authFailureKey` set means an AuthFailure event is due. */
  | { readonly kind: 'refused'; readonly refusal: Refusal; readonly authFailureKey?: string | undefined };

/**
 * A failed call fails the request closed: 403 "Key not authorised" for the auth hook, 413 when
 * the request was too large to send, 500 "Middleware error" otherwise, unless the hook is
 * fail_open (non-auth hooks only), which lets the request continue unchanged and counts it.
 */
function failed(ctx: RequestContext, hook: HookSpec, failure: DispatchError, deps: HookDeps): HookStep {
  const fields = { api_id: ctx.api.id, hook: hook.name, hook_type: hook.point, plugin_server: ctx.api.plugins?.server, failure: failure.failure, code: failure.label, err: failure.message };
  if (failure.failure === 'too_large') {
    deps.log.warn(`too_large:${ctx.api.id}:${hook.name}`, fields, 'request too large for the plugin hook');
    return { kind: 'refused', refusal: refusalOf('HG_ERR_REQUEST_TOO_LARGE') };
  }
  if (hook.failOpen) {
    deps.metrics.hookFailedOpen(ctx.api.id, hook.name, hook.point);
    deps.log.warn(`open:${ctx.api.id}:${hook.name}:${failure.failure}`, fields, 'hook failed; continuing because it is fail_open');
    return { kind: 'skipped' };
  }
  deps.log.error(`fail:${ctx.api.id}:${hook.name}:${failure.failure}`, fields, 'hook failed; request refused');
  if (hook.point === 'auth_check') return { kind: 'refused', refusal: refusalOf('HG_ERR_AUTH_HOOK_FAILED'), authFailureKey: authHeaderValue(ctx) };
  return { kind: 'refused', refusal: refusalOf('HG_ERR_HOOK_FAILED') };
}

function unusable(ctx: RequestContext, deps: HookDeps, hook: HookSpec, why: string): HookStep {
  deps.log.warn(`refuse:${ctx.api.id}:${hook.name}`, { api_id: ctx.api.id, hook: hook.name, hook_type: hook.point, reason: why }, 'hook reply refused');
  return { kind: 'refused', refusal: refusalOf('HG_ERR_HOOK_FAILED') };
}

/**
 * Calls a request hook as Tyk's ProcessRequest does (protocol.md 2.4): send the Object, apply the
 * returned request to `ctx`, then `return_overrides` (which end the request). The session of an
 * auth reply is the caller's business.
 */
export async function exchangeRequestHook(ctx: RequestContext, hook: HookSpec, object: CoprocessObject, deps: HookDeps): Promise<HookStep> {
  const reply = await call(ctx, hook, object, deps);
  if (reply instanceof DispatchError) return failed(ctx, hook, reply, deps);

  const changes = computeRequestChanges(ctx, reply.request);
  if (!changes.ok) return unusable(ctx, deps, hook, changes.reason);
  if (changes.changes !== undefined) ctx.apply(changes.changes);

  const decision = decideOverrides(reply.request?.return_overrides ?? null);
  if (decision.kind === 'invalid') return unusable(ctx, deps, hook, decision.reason);
  if (decision.kind === 'none') return { kind: 'replied', reply };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(decision.headers)) headers[canonicalHeaderKey(name)] = value;
  if (decision.kind === 'error') {
    const token = reply.session?.metadata['token'] ?? reply.metadata['token'] ?? '';
    return { kind: 'refused', refusal: messageRefusal(decision.status, decision.message, headers), authFailureKey: token };
  }
  return { kind: 'refused', refusal: { status: decision.status, message: '', headers, raw: decision.body } };
}

/** The Object for a request hook: the request, and the session for hooks that run after auth. */
export function requestHookObject(ctx: RequestContext, hook: HookSpec, spec: Readonly<Record<string, string>>): CoprocessObject {
  const object: CoprocessObject = { hook_type: HOOK_TYPES[hook.point], hook_name: hook.name, request: buildMiniRequest(ctx, hook.rawBodyOnly), spec };
  const session = hook.point === 'post_key_auth' || hook.point === 'post' ? protoSessionOf(ctx) : undefined;
  if (session !== undefined) {
    object.session = session;
    object.metadata = session.metadata;
  }
  return object;
}

/**
 * One non-auth request hook (pre, post_key_auth, post). Returns true when the request goes on to
 * the next stage; false when a response was written. (The auth hook is an auth method: see auth/.)
 */
export async function runRequestHook(ctx: RequestContext, hook: HookSpec, deps: HookDeps): Promise<boolean> {
  const plan = ctx.api.plugins;
  if (plan === undefined) return true;
  const step = await exchangeRequestHook(ctx, hook, requestHookObject(ctx, hook, plan.spec), deps);
  if (step.kind !== 'refused') return true;
  if (step.authFailureKey !== undefined) deps.events.authFailure(ctx, step.authFailureKey);
  return writeRefusal(ctx, deps.errors, step.refusal);
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
      const step = failed(ctx, hook, reply, deps);
      if (step.kind !== 'refused') continue;
      writeRefusal(ctx, deps.errors, step.refusal);
      return undefined;
    }
    const applied = applyResponseReply(sentResponse, reply.response);
    if (!applied.ok) {
      if (hook.failOpen) {
        deps.metrics.hookFailedOpen(ctx.api.id, hook.name, hook.point);
        deps.log.warn(`open:${ctx.api.id}:${hook.name}:reply`, { api_id: ctx.api.id, hook: hook.name, reason: applied.reason }, 'hook reply unusable; continuing because it is fail_open');
        continue;
      }
      const step = unusable(ctx, deps, hook, applied.reason);
      if (step.kind === 'refused') writeRefusal(ctx, deps.errors, step.refusal);
      return undefined;
    }
    response = applied.response;
  }
  return response;
}

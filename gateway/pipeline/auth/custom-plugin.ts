import { extractId, sessionFromAuthReply, sessionIdFor, type CompiledIdExtractor } from '../../../coprocess/index.js';
import type { SessionState } from '../../../coprocess/protocol/index.js';
import type { AuthScheme, HookSpec } from '../../apidef/index.js';
import { sessionFromProto, type SessionJson } from '../../session/index.js';
import { authHeaderValue, exchangeRequestHook, requestHookObject, type HookDeps } from '../hooks.js';
import { refusalOf } from '../refusal.js';
import type { RequestContext } from '../request-context.js';
import { failOpen, storageRefusal } from '../sessions.js';
import { withPolicies } from './lookup.js';
import { failWith, pass, type AuthMethodRunner, type AuthResult } from './method.js';

/**
 * Custom plugin auth: the coprocess `auth_check` hook (protocol.md 2.7), behind the ID extractor's
 * cache when one is configured (protocol.md 5). Being an auth method like the others, it composes
 * with them in AND groups and OR alternatives, cache included.
 */
export function customPluginMethod(scheme: AuthScheme, hook: HookSpec, extractor: CompiledIdExtractor | undefined): AuthMethodRunner {
  return {
    method: 'custom_plugin',
    scheme,
    async run(ctx, deps) {
      const plan = ctx.api.plugins;
      if (plan === undefined) return failWith(refusalOf('HG_ERR_AUTH_HOOK_FAILED'), authHeaderValue(ctx));
      let sessionId: string | undefined;
      if (extractor !== undefined) {
        const cached = await cachedExtractorSession(ctx, deps, extractor);
        if (cached.kind !== 'miss') return cached.result;
        sessionId = cached.sessionId;
      }
      const step = await exchangeRequestHook(ctx, hook, requestHookObject(ctx, hook, plan.spec), deps);
      // fail_open is refused at load for the auth hook; a skipped call still never authenticates.
      if (step.kind === 'skipped') return failWith(refusalOf('HG_ERR_AUTH_HOOK_FAILED'), authHeaderValue(ctx));
      if (step.kind === 'refused') return failWith(step.refusal, step.authFailureKey);
      const auth = sessionFromAuthReply(step.reply, ctx.api.orgId);
      if (!auth.ok) {
        deps.log.warn(`refuse:${ctx.api.id}:${hook.name}`, { api_id: ctx.api.id, hook: hook.name, hook_type: hook.point, reason: auth.reason }, 'hook reply refused');
        return failWith(refusalOf('HG_ERR_AUTH_NO_SESSION'), authHeaderValue(ctx));
      }
      return pluginSession(ctx, deps, auth.session, sessionId ?? auth.token);
    },
  };
}

/**
 * The session a custom-auth plugin returned becomes the request's (protocol.md 2.7): the
 * plugin's session is a template, stored under its identity (`sessionId`: the extractor's ID or
 * the token); quota counters already stored for that identity are kept, never reset by a new
 * auth call.
 */
async function pluginSession(ctx: RequestContext, deps: HookDeps, proto: SessionState, sessionId: string): Promise<AuthResult> {
  let stored;
  try {
    stored = await deps.sessions.sessions.find(ctx.api.orgId, sessionId);
  } catch (err) {
    // The plugin has authenticated the request; the stored session only carries quota state.
    if (!failOpen(ctx, deps.sessions, 'find', err)) return failWith(storageRefusal(ctx, deps.sessions, 'find', err));
  }
  // As Tyk (protocol.md 2.7 steps 6-8): policies applied, the stored quota state copied, and the
  // policies applied again to settle the quota; a policy that cannot be applied is 403 Forbidden.
  const applied = withPolicies(ctx, deps, sessionFromProto(proto));
  if (applied === undefined) return failWith(refusalOf('HG_ERR_AUTH_NO_SESSION'), authHeaderValue(ctx));
  if (stored !== undefined) copyQuotaState(applied, stored.session, ctx.api.id);
  const session = withPolicies(ctx, deps, applied);
  if (session === undefined) return failWith(refusalOf('HG_ERR_AUTH_NO_SESSION'), authHeaderValue(ctx));
  return pass(session, stored?.keyId ?? sessionId, true);
}

/**
 * The ID extractor's cache (protocol.md 5): the credential is extracted (400 `Authorization field
 * missing` when it cannot be; the plugin is not called), its session ID derived; a stored session
 * for that ID whose `id_extractor_deadline` is still ahead authenticates the request without the
 * plugin (and is written back, as Tyk does). Otherwise the plugin is called, and its session is
 * stored under this ID. The body is read, never consumed.
 */
async function cachedExtractorSession(
  ctx: RequestContext,
  deps: HookDeps,
  extractor: CompiledIdExtractor,
): Promise<{ kind: 'answered'; result: AuthResult } | { kind: 'miss'; sessionId: string }> {
  const result = extractId(extractor, {
    method: ctx.method,
    header: (name) => ctx.header(name),
    rawQuery: ctx.query,
    contentType: ctx.header('content-type') ?? '',
    body: ctx.body,
  });
  if (!result.ok) {
    deps.log.warn(`extract:${ctx.api.id}`, { api_id: ctx.api.id, reason: result.reason }, 'ID extractor found no credential');
    return { kind: 'answered', result: failWith(refusalOf('HG_ERR_EXTRACTOR_FIELD_MISSING')) };
  }
  const sessionId = sessionIdFor(result.value, ctx.api.orgId, deps.sessions.settings.hashKeyFunction);
  let stored;
  try {
    stored = await deps.sessions.sessions.find(ctx.api.orgId, sessionId);
  } catch (err) {
    if (!failOpen(ctx, deps.sessions, 'find', err)) return { kind: 'answered', result: failWith(storageRefusal(ctx, deps.sessions, 'find', err)) };
  }
  if (stored === undefined || (stored.session.id_extractor_deadline ?? 0) <= Date.now() / 1000) return { kind: 'miss', sessionId };
  // A cached session whose policies cannot be applied is not found (Tyk's lookup): the plugin decides.
  const session = withPolicies(ctx, deps, stored.session);
  if (session === undefined) return { kind: 'miss', sessionId };
  return { kind: 'answered', result: pass(session, stored.keyId, true) };
}

function copyQuotaState(target: SessionJson, stored: SessionJson, apiId: string): void {
  if (stored.quota_renews !== undefined) target.quota_renews = stored.quota_renews;
  if (stored.quota_remaining !== undefined) target.quota_remaining = stored.quota_remaining;
  const storedLimit = stored.access_rights?.[apiId]?.limit;
  const targetRights = target.access_rights?.[apiId];
  if (storedLimit !== undefined && targetRights !== undefined) {
    targetRights.limit = { ...(targetRights.limit ?? {}), quota_renews: storedLimit['quota_renews'], quota_remaining: storedLimit['quota_remaining'] };
  }
}

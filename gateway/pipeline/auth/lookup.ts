import { applyPolicies } from '../../policy/index.js';
import type { SessionJson } from '../../session/index.js';
import type { HookDeps } from '../hooks.js';
import type { Refusal } from '../refusal.js';
import type { RequestContext } from '../request-context.js';
import { storageRefusal } from '../sessions.js';

export type Lookup =
  | { readonly kind: 'found'; readonly keyId: string; readonly session: SessionJson }
  /** Not stored, or its policies could not be applied (logged): Tyk's "not found". */
  | { readonly kind: 'missing' }
  | { readonly kind: 'failed'; readonly refusal: Refusal };

/**
 * The session with its policies applied (Tyk's ApplyPolicies with the API's org), or undefined
 * when they cannot be (a missing policy, another org's, per_api mixed with partitions): logged
 * with the reason, and the caller refuses as Tyk does.
 */
export function withPolicies(ctx: RequestContext, deps: HookDeps, session: SessionJson): SessionJson | undefined {
  const applied = applyPolicies(session, deps.sessions.policies, ctx.api.orgId);
  if (applied.ok) return applied.session;
  deps.log.warn(`policy:${ctx.api.id}`, { api_id: ctx.api.id, reason: applied.reason }, 'the session\'s policies could not be applied; refused');
  return undefined;
}

/** Tyk's CheckSessionAndIdentityForValidKey (tyk-config.md 0.4): the stored session for `key`, its policies applied. */
export async function findSession(ctx: RequestContext, deps: HookDeps, key: string): Promise<Lookup> {
  let found;
  try {
    found = await deps.sessions.sessions.find(ctx.api.orgId, key);
  } catch (err) {
    return { kind: 'failed', refusal: storageRefusal(ctx, deps.sessions, 'find', err) };
  }
  if (found === undefined) return { kind: 'missing' };
  const session = withPolicies(ctx, deps, found.session);
  return session === undefined ? { kind: 'missing' } : { kind: 'found', keyId: found.keyId, session };
}

import { createHash } from 'node:crypto';
import type { JwtSettings } from '../../../apidef/index.js';
import { ERRORS } from '../../../errors/index.js';
import { applyPolicies, policyIdsOf, sessionFromPolicy } from '../../../policy/index.js';
import { generateToken, type SessionJson } from '../../../session/index.js';
import type { HookDeps } from '../../hooks.js';
import { messageRefusal, refusalOf } from '../../refusal.js';
import type { RequestContext } from '../../request-context.js';
import { findSession } from '../lookup.js';
import { failWith, pass, type AuthResult } from '../method.js';
import { claimString, identityOf, type Claims } from './claims.js';

const CLIENT_ID_CLAIMS = ['clientId', 'cid', 'client_id'];

/** The base policy: the policy claim, else the client's key's first policy (Tyk's getBasePolicyID). */
async function basePolicyOf(ctx: RequestContext, deps: HookDeps, settings: JwtSettings, claims: Claims): Promise<string | undefined> {
  if (settings.policyFieldName !== '') return claimString(claims, settings.policyFieldName);
  if (settings.clientBaseField === '') return undefined;
  const clientId = claims[settings.clientBaseField];
  if (typeof clientId !== 'string') return undefined;
  const client = await findSession(ctx, deps, clientId);
  return client.kind === 'found' ? policyIdsOf(client.session)?.[0] : undefined;
}

const contains = (list: readonly string[] | undefined, id: string) => (list ?? []).includes(id);

/**
 * Centralised JWT (Tyk's processCentralisedJWT, tyk-config.md 1.5): the identity claim names a
 * session `generateToken(org, md5hex(identity))`. A new one is made from the base policy (claim,
 * client key, or the default policies), expires no earlier than the token, and is stored; an
 * existing one follows the token's policy when it names another. Every failure has Tyk's status
 * and text; the identity is the AuthFailure key.
 */
export async function centralisedSession(ctx: RequestContext, deps: HookDeps, settings: JwtSettings, claims: Claims): Promise<AuthResult> {
  const identity = identityOf(claims, settings.identityBaseField);
  if (!identity.ok) return failWith(identity.refusal, '[NOT FOUND]');
  const id = identity.id;
  const fail = (code: Parameters<typeof refusalOf>[0], why: string) => {
    deps.log.warn(`jwt-policy:${ctx.api.id}`, { api_id: ctx.api.id, reason: why }, ERRORS[code].message);
    return failWith(refusalOf(code), id);
  };
  const orgId = ctx.api.orgId;
  const policies = deps.sessions.policies;
  let sessionId = generateToken(orgId, createHash('md5').update(id).digest('hex'), deps.sessions.settings.hashKeyFunction);
  const found = await findSession(ctx, deps, sessionId);
  if (found.kind === 'failed') return failWith(found.refusal);
  let base = await basePolicyOf(ctx, deps, settings, claims);
  const isDefault = base === undefined && settings.defaultPolicies.length > 0;
  if (isDefault) base = settings.defaultPolicies[0];
  const withDefaults = (ids: string[]) => (isDefault ? [...ids, ...settings.defaultPolicies.filter((p) => !ids.includes(p))] : ids);
  const exp = typeof claims['exp'] === 'number' ? Math.trunc(claims['exp']) : undefined;

  let session: SessionJson;
  let modified = false;
  if (found.kind === 'missing') {
    if (base === undefined) return fail('HG_ERR_JWT_NO_POLICY_FOUND', 'No policies could be determined from token (no base policy, no valid scopes)');
    const fromPolicy = sessionFromPolicy(policies, base, orgId);
    const draft: SessionJson = fromPolicy ?? {};
    if (isDefault) draft.apply_policies = withDefaults(draft.apply_policies ?? []);
    // As Tyk: the policies are applied before the base policy's absence is reported.
    const applied = applyPolicies(draft, policies, orgId);
    if (!applied.ok) return failWith(messageRefusal(500, `${ERRORS.HG_ERR_JWT_KEY_CREATE_FAILED.message}: ${applied.reason}`));
    if (fromPolicy === undefined) return fail('HG_ERR_JWT_NO_MATCHING_POLICY', `policy ${JSON.stringify(base)} not found`);
    session = applied.session;
    if (exp !== undefined && exp > (session.expires ?? 0)) session.expires = exp;
    session.meta_data = { TykJWTSessionID: sessionId };
    session.alias = id;
    modified = true;
  } else {
    session = found.session;
    sessionId = found.keyId;
    const current = policyIdsOf(session) ?? [];
    if (base !== undefined && policies.get(orgId, base) === undefined) return fail('HG_ERR_JWT_NO_MATCHING_POLICY', `policy ${JSON.stringify(base)} not found`);
    if (current.length === 0) return fail('HG_ERR_JWT_NO_POLICY_FOUND', 'No policies for the found session');
    const defaultsChanged = isDefault && (current.some((p) => !contains(settings.defaultPolicies, p) && p !== base) || settings.defaultPolicies.some((p) => !current.includes(p)));
    if (base !== undefined && (!current.includes(base) || defaultsChanged)) {
      // The token names another policy: the session follows it.
      session.apply_policy_id = '';
      session.apply_policies = withDefaults([base]);
      const applied = applyPolicies(session, policies, orgId);
      if (!applied.ok) return fail('HG_ERR_JWT_POLICY_NOT_APPLIED', applied.reason);
      session = applied.session;
      modified = true;
    }
    if (exp !== undefined && exp > (session.expires ?? 0)) {
      session.expires = exp;
      modified = true;
    }
    if (base === undefined && settings.defaultPolicies.length === 0) return fail('HG_ERR_JWT_NO_POLICY_FOUND', 'Existing session requires policy in token when no defaults configured');
  }

  // Tyk maps the IdP's client ID claim onto the session (no OAuth client records in Hookgate).
  const claimed = settings.clientIdMapping ? CLIENT_ID_CLAIMS.map((name) => claims[name]).find((value) => value !== undefined) : undefined;
  const clientId = typeof claimed === 'string' ? claimed : '';
  if ((session.oauth_client_id ?? '') !== clientId) {
    if (clientId === '') delete session.oauth_client_id;
    else session.oauth_client_id = clientId;
    modified = true;
  }
  return pass(session, sessionId, modified);
}

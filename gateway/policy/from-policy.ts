import type { AccessDefinitionJson, SessionJson } from '../session/index.js';
import { limitOf, storedLimit } from './limits.js';
import type { PolicyStore } from './store.js';

/**
 * Tyk's generateSessionFromPolicy (org enforced): a new session whose only policy is `policyId`
 * of `orgId`, with the policy's limits, access rights, tags and expiry (`key_expires_in`).
 * Undefined when the org has no such policy.
 */
export function sessionFromPolicy(store: PolicyStore, policyId: string, orgId: string, nowSeconds = Math.floor(Date.now() / 1000)): SessionJson | undefined {
  const policy = store.get(orgId, policyId);
  if (policy === undefined) return undefined;
  const rights: Record<string, AccessDefinitionJson> = {};
  for (const [api, access] of Object.entries(policy.access_rights)) {
    const entry: AccessDefinitionJson = {};
    if (access.api_name !== '') entry.api_name = access.api_name;
    if (access.api_id !== '') entry.api_id = access.api_id;
    if (access.versions.length > 0) entry.versions = [...access.versions];
    const limit = storedLimit(limitOf(access.limit));
    if (Object.keys(limit).length > 0) entry.limit = limit;
    if (access.allowance_scope !== '') entry.allowance_scope = access.allowance_scope;
    rights[api] = entry;
  }
  const session: SessionJson = {
    apply_policies: [policyId],
    org_id: orgId,
    allowance: policy.rate,
    rate: policy.rate,
    per: policy.per,
    quota_max: policy.quota_max,
    quota_renewal_rate: policy.quota_renewal_rate,
    access_rights: rights,
    is_inactive: policy.is_inactive,
    tags: [...policy.tags],
  };
  if (policy.key_expires_in > 0) session.expires = nowSeconds + policy.key_expires_in;
  if (policy.post_expiry_action !== '') session.post_expiry_action = policy.post_expiry_action;
  if (policy.post_expiry_grace_period !== 0) session.post_expiry_grace_period = policy.post_expiry_grace_period;
  return session;
}

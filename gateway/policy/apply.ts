import type { AccessDefinitionJson, SessionJson } from '../session/index.js';
import { duration, emptyLimit, greater, isEmptyLimit, limitOf, sessionLimit, storedLimit, type Limit, type Right } from './limits.js';
import type { Policy } from './schema.js';
import type { PolicyStore } from './store.js';

export type ApplyResult = { readonly ok: true; readonly session: SessionJson } | { readonly ok: false; readonly reason: string };

/** Which APIs each kind of limit was set for while merging (Tyk's applyStatus). */
interface Status {
  readonly acl: Set<string>;
  readonly quota: Set<string>;
  readonly rate: Set<string>;
  readonly complexity: Set<string>;
  perApi: boolean;
  partitioned: boolean;
}

class ApplyError extends Error {}

const MIXED = 'cannot apply multiple policies when some have per_api set and some are partitioned';

/** The policy IDs of a session: `apply_policies`, else the legacy `apply_policy_id` (Tyk's PolicyIDs). */
export function policyIdsOf(session: SessionJson): string[] | undefined {
  if ((session.apply_policies ?? []).length > 0) return [...(session.apply_policies ?? [])];
  if ((session.apply_policy_id ?? '') !== '') return [session.apply_policy_id as string];
  return undefined;
}

/**
 * Tyk's ApplyPolicies (internal/policy/apply.go): the session's policies, looked up in the
 * session's org (the API's when the session has none) and owned by the API's org, overwrite its
 * rate, quota and access rights; partitioned policies merge field by field (the more generous
 * value wins), per-API policies set each API's own limit. The session given is not changed.
 */
export function applyPolicies(input: SessionJson, store: PolicyStore, apiOrgId: string | undefined): ApplyResult {
  // Tyk's "custom policies" carried in the session itself are not supported: refusing the
  // session is safer than applying the stored policies in their place.
  if (Array.isArray(input.meta_data?.['policies'])) return { ok: false, reason: 'the session carries its own policies (meta_data.policies), which Hookgate does not support' };
  const session = structuredClone(input);
  const ids = policyIdsOf(session);
  if (ids === undefined) {
    // Without policies, an API's own limit counts apart from the others (its allowance scope).
    for (const [apiId, entry] of Object.entries(session.access_rights ?? {})) {
      if (!isEmptyLimit(limitOf(entry.limit))) entry.allowance_scope = apiId;
    }
    return { ok: true, session };
  }
  session.meta_data ??= {};
  const org = (session.org_id ?? '') !== '' ? (session.org_id as string) : (apiOrgId ?? '');
  clearSession(session, ids, (id) => store.get(org, id));
  try {
    applyAll(session, ids, (id) => store.get(org, id), apiOrgId);
  } catch (err) {
    if (err instanceof ApplyError) return { ok: false, reason: err.message };
    throw err;
  }
  return { ok: true, session };
}

/** Tyk's ClearSession: what the policies will set is zeroed first, up to the first missing policy. */
function clearSession(session: SessionJson, ids: readonly string[], find: (id: string) => Policy | undefined): void {
  for (const id of ids) {
    const policy = find(id);
    if (policy === undefined) return;
    const p = policy.partitions;
    const all = !(p.quota || p.rate_limit || p.acl || p.complexity);
    if (p.quota || all) {
      session.quota_max = 0;
      session.quota_remaining = 0;
    }
    if (p.rate_limit || all) {
      session.rate = 0;
      session.per = 0;
      delete session['smoothing'];
    }
  }
}

function applyAll(session: SessionJson, ids: readonly string[], find: (id: string) => Policy | undefined, apiOrgId: string | undefined): void {
  const rights = new Map<string, Right>();
  const tags = new Set<string>();
  const status: Status = { acl: new Set(), quota: new Set(), rate: new Set(), complexity: new Set(), perApi: false, partitioned: false };
  // Only the policies decide whether a key with policies is inactive.
  let inactive = false;
  for (const id of ids) {
    const policy = find(id);
    if (policy === undefined) {
      if (ids.length > 1) continue;
      throw new ApplyError(`policy not found: ${JSON.stringify(id)}`);
    }
    if (apiOrgId !== undefined && policy.org_id !== apiOrgId) throw new ApplyError('attempting to apply policy from different organisation to key, skipping');
    const p = policy.partitions;
    if (p.per_api && (p.quota || p.rate_limit || p.acl || p.complexity)) throw new ApplyError(`cannot apply policy ${policy.id} which has per_api and any of partitions set`);
    if (p.per_api) applyPerApi(policy, session, rights, status);
    else applyPartitions(policy, session, rights, status);
    inactive ||= policy.is_inactive;
    for (const tag of policy.tags) tags.add(tag);
    Object.assign(session.meta_data ?? {}, policy.meta_data ?? {});
    if (policy.last_updated > (session.last_updated ?? '')) session.last_updated = policy.last_updated;
    if (policy.post_expiry_action !== '') session.post_expiry_action = policy.post_expiry_action;
    if (policy.post_expiry_grace_period !== 0) session.post_expiry_grace_period = policy.post_expiry_grace_period;
  }
  session.is_inactive = inactive;
  for (const tag of session.tags ?? []) tags.add(tag);
  session.tags = [...tags];
  finishRights(session, rights, status);
  if (status.acl.size > 0) session.access_rights = Object.fromEntries([...rights].map(([api, right]) => [api, stored(right)]));
  if (rights.size === 0) throw new ApplyError('key has no valid policies to be applied');
}

/** An API that only an ACL partition named inherits the session's limits (Tyk's second pass). */
function finishRights(session: SessionJson, rights: Map<string, Right>, status: Status): void {
  const setters = new Set([...rights.values()].map((r) => r.limit.set_by).filter((s) => s !== ''));
  const root = sessionLimit(session);
  for (const [api, right] of rights) {
    if (!status.acl.has(api)) {
      rights.delete(api);
      continue;
    }
    const { limit, entry } = right;
    if (!status.rate.has(api)) {
      limit.rate = root.rate;
      limit.per = root.per;
    }
    if (!status.quota.has(api)) {
      limit.quota_max = root.quota_max;
      limit.quota_renewal_rate = root.quota_renewal_rate;
      limit.quota_renews = root.quota_renews;
    }
    // Several policies granting access: each API counts against the policy that granted it.
    if (setters.size > 1 && (entry.allowance_scope ?? '') === '' && limit.set_by !== '') entry.allowance_scope = limit.set_by;
    limit.set_by = '';
  }
  // One API with all its limits from policies: the session's own limits are that API's (legacy).
  if (status.quota.size === 1 && status.rate.size === 1 && status.complexity.size === 1) {
    const [api] = status.quota;
    const limit = rights.get(api as string)?.limit;
    if (limit !== undefined) {
      session.rate = limit.rate;
      session.per = limit.per;
      session.quota_max = limit.quota_max;
      session.quota_renews = limit.quota_renews;
      session.quota_renewal_rate = limit.quota_renewal_rate;
    }
  }
}

function stored(right: Right): AccessDefinitionJson {
  const entry: AccessDefinitionJson = { ...right.entry, limit: storedLimit(right.limit, right.entry.limit ?? {}) };
  if (Object.keys(entry.limit ?? {}).length === 0) delete entry.limit;
  if ((entry.allowance_scope ?? '') === '') delete entry.allowance_scope;
  return entry;
}

function accessEntry(policy: Policy, api: string): AccessDefinitionJson {
  const access = policy.access_rights[api];
  const entry: AccessDefinitionJson = {};
  if (access === undefined) return entry;
  if (access.api_name !== '') entry.api_name = access.api_name;
  if (access.api_id !== '') entry.api_id = access.api_id;
  if (access.versions.length > 0) entry.versions = [...access.versions];
  if (access.allowance_scope !== '') entry.allowance_scope = access.allowance_scope;
  return entry;
}

/** Tyk's ApplyRateLimits: the policy's rate replaces a slower (or unset) one, on the API and the session. */
function applyRate(session: SessionJson, policy: Policy, api: Limit): void {
  if (policy.rate === 0 || policy.per === 0) return;
  const policyDuration = duration(policy.rate, policy.per);
  if (api.rate === 0 || api.per === 0 || duration(api.rate, api.per) > policyDuration) {
    api.rate = policy.rate;
    api.per = policy.per;
  }
  const rate = session.rate ?? 0;
  const per = session.per ?? 0;
  if (rate === 0 || per === 0 || duration(rate, per) > policyDuration) {
    session.rate = policy.rate;
    session.per = policy.per;
  }
}

function applyPartitions(policy: Policy, session: SessionJson, rights: Map<string, Right>, status: Status): void {
  const p = policy.partitions;
  const partitioned = p.quota || p.rate_limit || p.acl || p.complexity;
  if (partitioned && status.perApi) throw new ApplyError(MIXED);
  const apis = Object.keys(policy.access_rights);
  for (const api of apis) if (!rights.has(api)) rights.set(api, { entry: {}, limit: emptyLimit() });
  for (const api of apis) {
    const current = rights.get(api) as Right;
    const right: Right = { entry: { ...current.entry }, limit: { ...current.limit } };
    if (!partitioned || p.acl) {
      // Tyk merges only the grants (versions here); names and scopes of the policy's entry are not copied.
      status.acl.add(api);
      const versions = [...(right.entry.versions ?? [])];
      for (const v of policy.access_rights[api]?.versions ?? []) if (!versions.includes(v)) versions.push(v);
      if (versions.length > 0) right.entry.versions = versions;
      right.limit.set_by = policy.id;
    }
    if (!partitioned || p.quota) {
      status.quota.add(api);
      if (greater(policy.quota_max, right.limit.quota_max)) {
        right.limit.quota_max = policy.quota_max;
        if (greater(policy.quota_max, session.quota_max ?? 0)) session.quota_max = policy.quota_max;
      }
      if (policy.quota_renewal_rate > right.limit.quota_renewal_rate) {
        right.limit.quota_renewal_rate = policy.quota_renewal_rate;
        if (policy.quota_renewal_rate > (session.quota_renewal_rate ?? 0)) session.quota_renewal_rate = policy.quota_renewal_rate;
      }
    }
    if (!partitioned || p.rate_limit) {
      status.rate.add(api);
      applyRate(session, policy, right.limit);
    }
    if (!partitioned || p.complexity) status.complexity.add(api);
    keepQuotaRenews(session, api, right.limit);
    rights.set(api, right);
  }
  if (apis.length === 0) {
    // A policy for every API (no access rights): its limits are the session's.
    if (!partitioned || p.rate_limit) {
      session.rate = policy.rate;
      session.per = policy.per;
      delete session['smoothing'];
    }
    if (!partitioned || p.quota) {
      session.quota_max = policy.quota_max;
      session.quota_renewal_rate = policy.quota_renewal_rate;
    }
  }
  status.partitioned = partitioned;
}

/** The renewal time already stored for an API's own quota is kept. */
function keepQuotaRenews(session: SessionJson, api: string, limit: Limit): void {
  const existing = session.access_rights?.[api];
  if (existing === undefined) return;
  const own = limitOf(existing.limit);
  if (!isEmptyLimit(own)) limit.quota_renews = own.quota_renews;
}

function applyPerApi(policy: Policy, session: SessionJson, rights: Map<string, Right>, status: Status): void {
  if (status.partitioned) throw new ApplyError(MIXED);
  for (const [api, access] of Object.entries(policy.access_rights)) {
    let limit = limitOf(access.limit);
    let scope = api;
    if (isEmptyLimit(limit)) {
      // No limit of its own: the API gets the policy's, counted against the policy.
      scope = policy.id;
      limit = { ...emptyLimit(), rate: policy.rate, per: policy.per, quota_max: policy.quota_max, quota_renewal_rate: policy.quota_renewal_rate };
    }
    limit.set_by = scope;
    keepQuotaRenews(session, api, limit);
    let right: Right = { entry: { ...accessEntry(policy, api), allowance_scope: scope }, limit };
    const current = rights.get(api);
    if (current !== undefined) right = mergeApiLimits(right, current);
    rights.set(api, right);
    for (const set of [status.acl, status.quota, status.rate, status.complexity]) set.add(api);
  }
  if (Object.keys(policy.access_rights).length > 0) status.perApi = true;
}

/** Tyk's applyAPILevelLimits: of two per-API limits for one API, the more generous values win. */
function mergeApiLimits(next: Right, current: Right): Right {
  const limit = { ...next.limit };
  const entry = { ...next.entry };
  let updated = false;
  if (duration(limit.rate, limit.per) > duration(current.limit.rate, current.limit.per)) {
    limit.rate = current.limit.rate;
    limit.per = current.limit.per;
    updated = true;
  }
  if (current.limit.quota_max !== limit.quota_max && greater(current.limit.quota_max, limit.quota_max)) {
    limit.quota_max = current.limit.quota_max;
    updated = true;
  }
  if (greater(current.limit.quota_renewal_rate, limit.quota_renewal_rate)) limit.quota_renewal_rate = current.limit.quota_renewal_rate;
  if (limit.quota_max === -1) limit.quota_renewal_rate = 0;
  if (updated) {
    limit.set_by = current.limit.set_by;
    if (current.entry.allowance_scope === undefined) delete entry.allowance_scope;
    else entry.allowance_scope = current.entry.allowance_scope;
  }
  return { entry, limit };
}

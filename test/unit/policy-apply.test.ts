import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPolicies, policySchema, PolicyStore, sessionFromPolicy, type Policy } from '../../gateway/policy/index.js';
import type { SessionJson } from '../../gateway/session/index.js';

/** Policies by ID (the ID is also the policy's `id`), org "" unless given, as Tyk's own apply tests lay them out. */
const POLICIES: Record<string, Record<string, unknown>> = {
  nonpart1: { id: 'p1', access_rights: { a: {} } },
  nonpart2: { id: 'p2', access_rights: { b: {} } },
  nonpart3: { id: 'p3', access_rights: { a: {}, b: {} } },
  difforg: { org_id: 'different' },
  quota1: { quota_max: 2, access_rights: { a: {} }, partitions: { acl: true, quota: true } },
  quota2: { quota_max: 3, access_rights: { a: {} }, partitions: { acl: true, quota: true } },
  quota4: { quota_max: 3, access_rights: { b: {} }, partitions: { quota: true } },
  quota5: { quota_max: 4, access_rights: { b: {} }, partitions: { acl: true, quota: true } },
  'unlimited-quota': { quota_max: -1, access_rights: { a: {} }, partitions: { acl: true, quota: true } },
  rate1: { rate: 3, per: 1, access_rights: { a: {} }, partitions: { acl: true, rate_limit: true } },
  rate2: { rate: 4, per: 1, access_rights: { a: {} }, partitions: { acl: true, rate_limit: true } },
  rate3: { rate: 4, per: 4, partitions: { acl: true, rate_limit: true } },
  rate4: { rate: 8, per: 1, access_rights: { a: {} }, partitions: { acl: true, rate_limit: true } },
  rate5: { rate: 10, per: 1, access_rights: { a: {} }, partitions: { acl: true, rate_limit: true } },
  'rate-no-partition': { rate: 12, per: 1, access_rights: { a: {} } },
  'rate-for-a-b': { rate: 4, per: 1, access_rights: { a: {}, b: {} }, partitions: { rate_limit: true } },
  'rate-for-a': { rate: 4, per: 1, access_rights: { a: {} }, partitions: { rate_limit: true } },
  'rate-for-b': { rate: 2, per: 1, access_rights: { b: {} }, partitions: { rate_limit: true } },
  acl1: { access_rights: { a: {} }, partitions: { acl: true } },
  acl2: { access_rights: { b: {} }, partitions: { acl: true } },
  'acl-for-a-b': { access_rights: { a: {}, b: {} }, partitions: { acl: true } },
  tags1: { access_rights: { a: {} }, tags: ['tagA'], meta_data: { tier: 'gold', a: 1 }, partitions: { acl: true, quota: true } },
  tags2: { access_rights: { a: {} }, tags: ['tagX', 'tagY'], meta_data: { tier: 'silver' }, partitions: { acl: true, rate_limit: true } },
  inactive1: { access_rights: { a: {} }, is_inactive: true, partitions: { acl: true, rate_limit: true } },
  per_api_and_partitions: { access_rights: { d: { limit: { rate: 20, per: 1 } } }, partitions: { quota: true, per_api: true } },
  per_api_and_no_other_partitions: {
    access_rights: { c: { limit: { rate: 2000, per: 60, quota_max: -1 } }, d: { limit: { rate: 20, per: 1, quota_max: 1000, quota_renewal_rate: 3600 } } },
    partitions: { per_api: true },
  },
  per_api_with_api_d: { access_rights: { d: { limit: { rate: 200, per: 10, quota_max: 5000, quota_renewal_rate: 3600 } } }, partitions: { per_api: true } },
  per_api_with_api_c: { access_rights: { c: { limit: { rate: 3000, per: 10, quota_max: 6000, quota_renewal_rate: 3600 } } }, partitions: { per_api: true } },
  per_api_with_limit_set_from_policy: {
    rate: 300, per: 1, quota_max: -1,
    access_rights: { d: { limit: { rate: 200, per: 10, quota_max: 5000, quota_renewal_rate: 3600 } }, e: {} },
    partitions: { per_api: true },
  },
  per_api_with_higher_rate_on_api_d: { access_rights: { d: { limit: { rate: 400, per: 25, quota_max: 5000, quota_renewal_rate: 3600 } } }, partitions: { per_api: true } },
  expiring: { org_id: 'o1', rate: 7, per: 2, quota_max: 9, quota_renewal_rate: 60, key_expires_in: 3600, tags: ['t'], access_rights: { api1: { api_name: 'API 1', versions: ['Default'] } } },
};

const store = new PolicyStore(Object.entries(POLICIES).map(([key, doc]): Policy => ({ ...policySchema.parse(doc), id: key })));
const apply = (ids: string[], session: SessionJson = {}, org: string | undefined = '') => applyPolicies({ ...session, apply_policies: ids }, store, org);
const applied = (ids: string[], session?: SessionJson) => {
  const result = apply(ids, session);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.session;
};

describe('ApplyPolicies (Tyk internal/policy/apply.go)', () => {
  it('fails on a missing single policy, another org\'s policy, and per_api mixed with partitions', () => {
    assert.deepEqual(apply(['nonexistent']), { ok: false, reason: 'policy not found: "nonexistent"' });
    assert.deepEqual(apply(['difforg'], {}, ''), { ok: false, reason: 'policy not found: "difforg"' }, 'policies are scoped by the session\'s org');
    assert.deepEqual(apply(['difforg'], { org_id: 'different' }, ''), { ok: false, reason: 'attempting to apply policy from different organisation to key, skipping' });
    assert.deepEqual(apply(['per_api_and_partitions']), { ok: false, reason: 'cannot apply policy per_api_and_partitions which has per_api and any of partitions set' });
    for (const ids of [['per_api_with_api_d', 'quota1'], ['rate1', 'per_api_with_api_d']]) {
      assert.deepEqual(apply(ids), { ok: false, reason: 'cannot apply multiple policies when some have per_api set and some are partitioned' });
    }
    assert.deepEqual(apply(['rate3']), { ok: false, reason: 'key has no valid policies to be applied' }, 'a policy without access rights alone grants nothing');
  });

  it('a session without policies is unchanged, but its per-API limits get their allowance scope', () => {
    const session: SessionJson = { rate: 5, per: 1, is_inactive: true, access_rights: { x: { limit: { rate: 1, per: 1 } }, y: {} } };
    const result = applyPolicies(session, store, '');
    assert.ok(result.ok);
    assert.deepEqual(result.session, { ...session, access_rights: { x: { limit: { rate: 1, per: 1 }, allowance_scope: 'x' }, y: {} } });
    assert.equal(session.access_rights?.['x']?.allowance_scope, undefined, 'the input is not changed');
  });

  it('several non-partitioned policies: a missing one is skipped; each API counts against the policy that granted it', () => {
    const s = applied(['nonpart1', 'nonpart2', 'nonexistent']);
    assert.deepEqual(s.access_rights, { a: { allowance_scope: 'nonpart1' }, b: { allowance_scope: 'nonpart2' } });
    assert.deepEqual(applied(['nonpart3']).access_rights, { a: {}, b: {} });
  });

  it('quota partitions: the bigger quota wins, -1 is unlimited; a quota-only partition grants no access', () => {
    assert.equal(applied(['unlimited-quota']).quota_max, -1);
    assert.equal(applied(['quota1']).quota_max, 2);
    assert.equal(applied(['quota1', 'quota2']).quota_max, 3);
    assert.equal(applied(['quota5', 'quota4']).quota_max, 4);
    const s = applied(['quota4', 'nonpart1']);
    assert.equal(s.quota_max, 3);
    assert.deepEqual(s.access_rights, { a: {} });
  });

  it('rate partitions: the faster rate wins, also over a session\'s own slower rate', () => {
    assert.equal(applied(['rate1']).rate, 3);
    assert.equal(applied(['rate1', 'rate2']).rate, 4);
    assert.equal(applied(['rate5', 'rate4']).rate, 10);
    assert.equal(applied(['rate4', 'rate5'], { rate: 20, per: 1 }).rate, 10, 'the policies clear the session\'s rate first');
    assert.equal(applied(['rate-no-partition'], { rate: 20, per: 1 }).rate, 12);
    const both = applied(['quota1', 'rate3']);
    assert.deepEqual([both.quota_max, both.rate, both.per], [2, 4, 4]);
    const reversed = applied(['rate3', 'quota1']);
    assert.deepEqual([reversed.quota_max, reversed.rate, reversed.per], [2, 4, 4]);
  });

  it('ACL partitions: access comes only from ACL policies, limits from the others', () => {
    assert.deepEqual(applied(['acl1']).access_rights, { a: {} });
    // Tyk's own test expects no scopes here only because its test policies have empty IDs.
    assert.deepEqual(applied(['acl1', 'acl2']).access_rights, { a: { allowance_scope: 'acl1' }, b: { allowance_scope: 'acl2' } });
    assert.deepEqual(applied(['acl1', 'rate-for-a-b']).access_rights, { a: { limit: { rate: 4, per: 1 } } });
    assert.deepEqual(applied(['acl-for-a-b', 'rate-for-a', 'rate-for-b']).access_rights, { a: { limit: { rate: 4, per: 1 } }, b: { limit: { rate: 2, per: 1 } } });
    assert.deepEqual(applied(['acl-for-a-b'], { access_rights: { c: {} } }).access_rights, { a: {}, b: {} }, 'the policies replace the session\'s rights');
  });

  it('inactive, tags and meta_data merge', () => {
    assert.equal(applied([], { is_inactive: true }).is_inactive, true, 'no policies: the session decides');
    assert.equal(applied(['tags1', 'inactive1']).is_inactive, true);
    assert.equal(applied(['tags1', 'tags2'], { is_inactive: true }).is_inactive, false, 'with policies, only they decide');
    const s = applied(['tags1', 'tags2'], { tags: ['key-tag'], meta_data: { own: 'x', tier: 'bronze' } });
    assert.deepEqual([...(s.tags ?? [])].sort(), ['key-tag', 'tagA', 'tagX', 'tagY']);
    assert.deepEqual(s.meta_data, { own: 'x', tier: 'silver', a: 1 }, 'later policies win; the session\'s other keys stay');
  });

  it('per-API policies: each API its own limit and scope; several policies for one API keep the more generous values', () => {
    assert.deepEqual(applied(['per_api_and_no_other_partitions']).access_rights, {
      c: { limit: { rate: 2000, per: 60, quota_max: -1 }, allowance_scope: 'c' },
      d: { limit: { rate: 20, per: 1, quota_max: 1000, quota_renewal_rate: 3600 }, allowance_scope: 'd' },
    });
    assert.deepEqual(applied(['per_api_and_no_other_partitions', 'per_api_with_api_d']).access_rights, {
      c: { limit: { rate: 2000, per: 60, quota_max: -1 }, allowance_scope: 'c' },
      d: { limit: { rate: 200, per: 10, quota_max: 5000, quota_renewal_rate: 3600 }, allowance_scope: 'd' },
    });
    assert.deepEqual(applied(['per_api_and_no_other_partitions', 'per_api_with_api_d', 'per_api_with_api_c']).access_rights?.['c'], {
      limit: { rate: 3000, per: 10, quota_max: -1 },
      allowance_scope: 'c',
    });
    const fromPolicy = {
      e: { limit: { rate: 300, per: 1, quota_max: -1 }, allowance_scope: 'per_api_with_limit_set_from_policy' },
      d: { limit: { rate: 200, per: 10, quota_max: 5000, quota_renewal_rate: 3600 }, allowance_scope: 'd' },
    };
    assert.deepEqual(applied(['per_api_with_limit_set_from_policy']).access_rights, fromPolicy);
    assert.deepEqual(applied(['per_api_with_limit_set_from_policy', 'per_api_with_api_d', 'per_api_with_higher_rate_on_api_d']).access_rights, fromPolicy);
  });

  it('a single policy for one API sets the session\'s own limits (Tyk\'s legacy root values)', () => {
    const s = applied(['nonpart1'], { rate: 100, per: 1, quota_max: 50, quota_remaining: 7 });
    assert.deepEqual([s.rate, s.per, s.quota_max, s.quota_remaining], [0, 0, 0, 0], 'cleared, and the policy sets none');
    const scoped = applyPolicies({ apply_policy_id: 'expiring', org_id: 'o1' }, store, 'o1');
    assert.ok(scoped.ok);
    assert.deepEqual([scoped.session.rate, scoped.session.per, scoped.session.quota_max, scoped.session.quota_renewal_rate], [7, 2, 9, 60]);
    assert.deepEqual(scoped.session.access_rights, { api1: { versions: ['Default'], limit: { rate: 7, per: 2, quota_max: 9, quota_renewal_rate: 60 } } });
  });

  it('refuses a session that carries its own policies (meta_data.policies)', () => {
    const result = applyPolicies({ meta_data: { policies: [{ id: 'x' }] } }, store, '');
    assert.equal(result.ok, false);
  });
});

describe('sessionFromPolicy (Tyk generateSessionFromPolicy)', () => {
  it('builds a session from the policy of the org, with key_expires_in as expiry', () => {
    const s = sessionFromPolicy(store, 'expiring', 'o1', 1000);
    assert.deepEqual(s, {
      apply_policies: ['expiring'], org_id: 'o1', allowance: 7, rate: 7, per: 2, quota_max: 9, quota_renewal_rate: 60,
      access_rights: { api1: { api_name: 'API 1', versions: ['Default'] } }, is_inactive: false, tags: ['t'], expires: 4600,
    });
    assert.equal(sessionFromPolicy(store, 'expiring', 'other'), undefined, 'another org\'s policy is not found');
    assert.equal(sessionFromPolicy(store, 'missing', 'o1'), undefined);
  });
});

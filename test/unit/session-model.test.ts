import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messageTypes, type SessionState__Output } from '../../coprocess/protocol/index.js';
import { sessionFromProto, sessionLifetime, sessionToProto, type SessionJson } from '../../gateway/session/index.js';

/** A SessionState with every field set to something other than its default. */
function everyField(): SessionState__Output {
  const proto: SessionState__Output = {
    last_check: 11, allowance: 1.5, rate: 1000, per: 1, expires: 1_900_000_000, quota_max: 3, quota_renews: 1_800_000_000,
    quota_remaining: 2, quota_renewal_rate: 3600,
    access_rights: { api1: { api_name: 'API 1', api_id: 'api1', versions: ['Default'], allowed_urls: [{ url: '/x', methods: ['GET', 'POST'] }] } },
    org_id: 'org', oauth_client_id: 'client', oauth_keys: { a: 'b' }, basic_auth_data: { password: 'pw', hash: 'bcrypt' },
    jwt_data: { secret: 'jwt' }, hmac_enabled: true, hmac_secret: 'hmac', is_inactive: true, apply_policy_id: 'pol',
    data_expires: 60, monitor: { trigger_limits: [50, 80.5] }, enable_detailed_recording: true, metadata: { token: 't', plan: 'gold' },
    tags: ['a', 'b'], alias: 'alias', last_updated: '1700000000', id_extractor_deadline: 1_700_000_060, session_lifetime: 120,
    apply_policies: ['p1', 'p2'], certificate: 'cert-id', max_query_depth: 5, key_id: 'the-key', post_expiry_action: 'retain',
    post_expiry_grace_period: 30,
  };
  return proto;
}

describe('session: stored JSON and the protocol\'s SessionState', () => {
  it('every SessionState field survives protocol → stored JSON → protocol', () => {
    const proto = everyField();
    const declared = messageTypes.root.lookupType('coprocess.SessionState').fieldsArray.map((f) => f.name).sort();
    assert.deepEqual(Object.keys(proto).sort(), declared, 'the fixture sets every declared field');
    const json = sessionFromProto(proto);
    assert.deepEqual(sessionToProto(json, 'the-key'), proto);
  });

  it('uses Tyk\'s JSON names (meta_data, hmac_string, hash_type) and leaves zero values out', () => {
    const json = sessionFromProto({ ...everyField(), alias: '', tags: [] });
    assert.equal(json.meta_data?.['plan'], 'gold');
    assert.equal(json.hmac_string, 'hmac');
    assert.deepEqual(json.basic_auth_data, { password: 'pw', hash_type: 'bcrypt' });
    assert.equal('alias' in json, false);
    assert.equal('tags' in json, false);
    assert.equal('key_id' in json, false, 'the key is the storage key, not a field (Tyk: json:"-")');
  });

  it('keeps stored fields the protocol does not carry, and meta_data types, when a plugin session is merged in', () => {
    const stored: SessionJson = {
      rate: 10,
      date_created: '2026-01-01T00:00:00Z',
      access_rights: { api1: { api_id: 'api1', limit: { rate: 5, per: 1, quota_max: 7 } } },
      meta_data: { count: 5, nested: { k: 'v' }, plain: 'x' },
      smoothing: { enabled: true },
    };
    const proto = sessionToProto(stored, 'k');
    assert.equal(proto.metadata['count'], '5');
    assert.equal(proto.metadata['nested'], '{"k":"v"}');
    const back = sessionFromProto({ ...proto, rate: 20 }, stored);
    assert.equal(back.rate, 20);
    assert.equal(back['date_created'], '2026-01-01T00:00:00Z');
    assert.deepEqual(back['smoothing'], { enabled: true });
    assert.deepEqual(back.access_rights?.['api1']?.limit, { rate: 5, per: 1, quota_max: 7 });
    assert.deepEqual(back.meta_data, { count: 5, nested: { k: 'v' }, plain: 'x' });
  });

  it('reads enable_detail_recording (old name) as enable_detailed_recording', () => {
    assert.equal(sessionToProto({ enable_detail_recording: true }, 'k').enable_detailed_recording, true);
  });
});

describe('session lifetime (protocol.md 2.9)', () => {
  const now = 1_000_000;
  const settings = { apiSessionLifetime: 0, respectsKeyExpiration: false, forceGlobal: false, globalSessionLifetime: 0 };
  it('no lifetime anywhere: no TTL', () => assert.equal(sessionLifetime({}, settings, now), 0));
  it('the global lifetime wins when forced', () => assert.equal(sessionLifetime({ session_lifetime: 5 }, { ...settings, forceGlobal: true, globalSessionLifetime: 99 }, now), 99));
  it('post_expiry_action delete: until expiry, at least 1', () => {
    assert.equal(sessionLifetime({ expires: now + 50, post_expiry_action: 'delete' }, settings, now), 50);
    assert.equal(sessionLifetime({ expires: now - 50, post_expiry_action: 'delete' }, settings, now), 1);
    assert.equal(sessionLifetime({ expires: 0, post_expiry_action: 'delete' }, settings, now), 0);
  });
  it('post_expiry_action retain: expiry plus grace, or never with -1', () => {
    assert.equal(sessionLifetime({ expires: now + 50, post_expiry_action: 'retain', post_expiry_grace_period: 10 }, settings, now), 60);
    assert.equal(sessionLifetime({ expires: now + 50, post_expiry_action: 'retain', post_expiry_grace_period: -1 }, settings, now), -1);
  });
  it('the session\'s own lifetime, then the API\'s; respecting key expiry extends to it', () => {
    assert.equal(sessionLifetime({ session_lifetime: 30 }, { ...settings, apiSessionLifetime: 90 }, now), 30);
    assert.equal(sessionLifetime({}, { ...settings, apiSessionLifetime: 90 }, now), 90);
    assert.equal(sessionLifetime({ expires: now + 500 }, { ...settings, apiSessionLifetime: 90, respectsKeyExpiration: true }, now), 500);
    assert.equal(sessionLifetime({ expires: now + 50 }, { ...settings, apiSessionLifetime: 90, respectsKeyExpiration: true }, now), 90);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CoprocessObject__Output, SessionState__Output } from '../../coprocess/protocol/index.js';
import { coprocessConfig, pluginApi } from '../helpers/apis.js';
import { control, SECRET } from '../helpers/control.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin, type GrpcPlugin } from '../helpers/grpc-plugin.js';
import { request, tykError } from '../helpers/http.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const ORG = 'org1';
const FAR = Math.floor(Date.now() / 1000) + 86_400;

/**
 * Every SessionState field set, none blocking the request (expires ahead, active, both APIs
 * allowed), except the policy fields (policies are tested on their own).
 */
const everyField = (): SessionState__Output => ({
  last_check: 11, allowance: 1.5, rate: 1000, per: 1, expires: FAR, quota_max: 1000, quota_renews: 0, quota_remaining: 0,
  quota_renewal_rate: 3600,
  access_rights: {
    plug: { api_name: 'plug', api_id: 'plug', versions: ['Default'], allowed_urls: [{ url: '/x', methods: ['GET'] }] },
    tok: { api_name: 'tok', api_id: 'tok', versions: ['Default'], allowed_urls: [] },
  },
  org_id: 'ignored-by-gateway', oauth_client_id: 'client', oauth_keys: { a: 'b' }, basic_auth_data: { password: 'pw-hash', hash: 'bcrypt' },
  jwt_data: { secret: 'jwt' }, hmac_enabled: true, hmac_secret: 'hmac', is_inactive: false, apply_policy_id: '',
  data_expires: 60, monitor: { trigger_limits: [50, 80.5] }, enable_detailed_recording: true, metadata: { plan: 'gold' },
  tags: ['a', 'b'], alias: 'alias', last_updated: '1700000000', id_extractor_deadline: 1_700_000_060, session_lifetime: 3600,
  apply_policies: [], certificate: 'cert-id', max_query_depth: 5, key_id: 'ignored', post_expiry_action: 'retain',
  post_expiry_grace_period: 30,
});

describe('custom plugin auth with sessions, limits and quotas', () => {
  let plugin: GrpcPlugin;
  let up: TestUpstream;
  let gw: GatewayProcess;
  before(async () => {
    plugin = await startGrpcPlugin({
      Auth: (o: CoprocessObject__Output) => {
        const key = o.request?.headers['Authorization'] ?? '';
        if (key.startsWith('quota-')) o.session = { quota_max: 3, quota_renewal_rate: 3600, rate: 100, per: 1 } as never;
        else if (key.startsWith('dev1-')) o.session = { rate: 3, per: 10, metadata: { developer_id: 'dev1', rate_limit_pattern: 'dev-$tyk_meta.developer_id' } } as never;
        else if (key === 'every-field') o.session = everyField();
        else if (key === 'with-policy') o.session = { rate: 10, per: 1, apply_policies: ['gold'] } as never;
        else if (key === 'with-missing-policy') o.session = { rate: 10, per: 1, apply_policies: ['platinum'] } as never;
        else return o;
        o.metadata = { token: key };
        return o;
      },
    });
    up = await startUpstream();
    gw = await startGatewayProcess({
      config: { secret: SECRET, ...coprocessConfig(plugin.address), policies: { policy_source: 'file', policy_record_name: 'policies.json' } },
      files: { 'policies.json': { gold: { org_id: ORG, rate: 2, per: 10, access_rights: { plug: { versions: ['Default'] } } } } },
      apis: {
        'plug.json': pluginApi('plug', '/plug/', up.origin, { auth_check: { name: 'Auth' }, post_key_auth: [{ name: 'SeeSession' }] }, { org_id: ORG }),
        'tok.json': pluginApi('tok', '/tok/', up.origin, { post_key_auth: [{ name: 'SeeStored' }] }, { org_id: ORG, use_keyless: false }),
      },
    });
  });
  after(async () => {
    await gw.stop();
    await plugin.stop();
    await up.close();
  });
  const authCalls = () => plugin.received.filter((o) => o.hook_name === 'Auth').length;

  it('quota 3: the fourth request is 403 although the plugin returns a fresh session every time', async () => {
    const before = authCalls();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await request(gw.url('/plug/q'), { headers: { authorization: 'quota-user' } })).status);
    assert.deepEqual(statuses, [200, 200, 200, 403]);
    assert.equal(authCalls() - before, 4, 'the plugin was asked every time: the counter lives in the gateway');
    const stored = (await control(gw.url(''), 'GET', '/tyk/keys/quota-user')).json() as { quota_remaining?: number; quota_max?: number };
    assert.equal(stored.quota_max, 3);
    assert.equal(stored.quota_remaining ?? 0, 0);
  });

  it('two tokens with one rate_limit_pattern share one bucket', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await request(gw.url('/plug/p'), { headers: { authorization: i % 2 === 0 ? 'dev1-alice' : 'dev1-bob' } })).status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429, 429], 'rate 3 per 10 s for both tokens together');
  });

  it('a session that names a policy gets the policy\'s limits; a missing policy is 403 Forbidden', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await request(gw.url('/plug/x'), { headers: { authorization: 'with-policy' } })).status);
    assert.deepEqual(statuses, [200, 200, 429], 'the policy\'s 2 per 10 s, not the plugin\'s 10 per 1 s');
    const stored = (await control(gw.url(''), 'GET', '/tyk/keys/with-policy')).json() as Record<string, unknown>;
    assert.deepEqual([stored['rate'], stored['per'], stored['apply_policies']], [2, 10, ['gold']]);
    const res = await request(gw.url('/plug/x'), { headers: { authorization: 'with-missing-policy' } });
    assert.equal(res.status, 403);
    assert.equal(res.text(), tykError('Forbidden'));
  });

  it('a plugin that returns no token is refused, never counted as one anonymous identity', async () => {
    const res = await request(gw.url('/plug/x'), { headers: { authorization: 'nobody' } });
    assert.equal(res.status, 403);
    assert.equal(res.text(), tykError('Forbidden'));
  });

  it('every SessionState field a plugin sets reaches storage, in Tyk\'s JSON, and comes back to a later hook', async () => {
    assert.equal((await request(gw.url('/plug/x'), { headers: { authorization: 'every-field' } })).status, 200);
    const stored = (await control(gw.url(''), 'GET', '/tyk/keys/every-field')).json() as Record<string, unknown>;
    assert.equal(stored['hmac_string'], 'hmac');
    // GET blanks a basic-auth password, as Tyk does; the hook below sees it stored in full.
    assert.deepEqual(stored['basic_auth_data'], { password: '', hash_type: 'bcrypt' });
    assert.deepEqual(stored['meta_data'], { plan: 'gold', token: 'every-field' });
    assert.equal(stored['org_id'], ORG, 'the gateway sets the API\'s org');

    // The auth-token API reads the same key from storage; its hook sees the stored session.
    assert.equal((await request(gw.url('/tok/x'), { headers: { authorization: 'every-field' } })).status, 200);
    const seen = [...plugin.received].reverse().find((o) => o.hook_name === 'SeeStored')?.session;
    assert.ok(seen);
    const expected = { ...everyField(), org_id: ORG, key_id: 'every-field', metadata: { plan: 'gold', token: 'every-field' } };
    const { quota_remaining: _r, quota_renews: _n, ...rest } = seen;
    const { quota_remaining: _er, quota_renews: _en, ...expectedRest } = expected;
    assert.deepEqual(rest, expectedRest);
    assert.ok(seen.quota_remaining > 0 && seen.quota_renews > Date.now() / 1000, 'quota state is the gateway\'s');
  });
});


import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keylessApi } from '../helpers/apis.js';
import { control, keySession } from '../helpers/control.js';
import { request, tykError } from '../helpers/http.js';
import { gatewayOnStore, STORE_BACKENDS } from '../helpers/store-gateway.js';

const ORG = 'org1';
const tokenApi = (id: string, listen: string, target: string, extra: Record<string, unknown> = {}) => ({ ...keylessApi(id, listen, target), org_id: ORG, use_keyless: false, ...extra });

for (const backend of STORE_BACKENDS) {
  describe(`auth token, rate limit and quota (${backend} store)`, () => {
    const env = gatewayOnStore(backend, (target) => ({
      'k.json': tokenApi('k', '/k/', target),
      'p.json': tokenApi('p', '/p/', target, { auth_configs: { authToken: { auth_header_name: 'X-Api-Key', use_param: true, param_name: 'api_key', use_cookie: true, cookie_name: 'session' } } }),
      'other.json': tokenApi('other', '/other/', target),
    }));
    const skip = env.skip;
    const createKey = async (name: string, fields: Record<string, unknown>, apiId = 'k') => {
      const res = await control(env.gw.url(''), 'POST', `/tyk/keys/${name}`, keySession(apiId, ORG, fields));
      assert.equal(res.status, 200, res.text());
      return (res.json() as { key: string }).key;
    };

    it('refuses a request without a key (401) and with an unknown key (403), with Tyk\'s texts', async (t) => {
      if (skip(t)) return;
      const missing = await request(env.gw.url('/k/x'));
      assert.equal(missing.status, 401);
      assert.equal(missing.text(), tykError('Authorization field missing'));
      const unknown = await request(env.gw.url('/k/x'), { headers: { authorization: 'no-such-key' } });
      assert.equal(unknown.status, 403);
      assert.equal(unknown.text(), tykError('Access to this API has been disallowed'));
    });

    it('finds a key created with a chosen name, by name and as Bearer; reads the key from header, query or cookie as configured', async (t) => {
      if (skip(t)) return;
      const stored = await createKey('alpha-key-1', { rate: 100, per: 1 });
      assert.equal(stored, `${ORG}alpha-key-1`, 'Tyk stores a custom key as generateToken(org, name)');
      assert.equal((await request(env.gw.url('/k/x'), { headers: { authorization: 'alpha-key-1' } })).status, 200);
      assert.equal((await request(env.gw.url('/k/x'), { headers: { authorization: 'Bearer alpha-key-1' } })).status, 200);
      await createKey('beta-key-22', {}, 'p');
      assert.equal((await request(env.gw.url('/p/x'), { headers: { 'x-api-key': 'beta-key-22' } })).status, 200);
      assert.equal((await request(env.gw.url('/p/x?api_key=beta-key-22'))).status, 200);
      assert.equal((await request(env.gw.url('/p/x'), { headers: { cookie: 'a=1; session=beta-key-22' } })).status, 200);
      assert.equal((await request(env.gw.url('/p/x'), { headers: { authorization: 'beta-key-22' } })).status, 401, "Authorization is not this API's header");
    });

    it('checks expiry (401), inactive keys (403) and access rights (403); a key naming a missing policy is refused', async (t) => {
      if (skip(t)) return;
      const refused = await control(env.gw.url(''), 'POST', '/tyk/keys/policy-key', keySession('k', ORG, { apply_policies: ['gold'] }));
      assert.equal(refused.status, 500, 'Tyk refuses a key whose policies cannot be applied');
      assert.equal((await request(env.gw.url('/k/x'), { headers: { authorization: 'policy-key' } })).status, 403);
      await createKey('expired-key', { expires: Math.floor(Date.now() / 1000) - 10 });
      const expired = await request(env.gw.url('/k/x'), { headers: { authorization: 'expired-key' } });
      assert.equal(expired.status, 401);
      assert.equal(expired.text(), tykError('Key has expired, please renew'));
      await createKey('inactive-key', { is_inactive: true });
      const inactive = await request(env.gw.url('/k/x'), { headers: { authorization: 'inactive-key' } });
      assert.equal(inactive.status, 403);
      assert.equal(inactive.text(), tykError('Key is inactive, please renew'));
      await createKey('other-api-key', {}, 'other');
      const wrongApi = await request(env.gw.url('/k/x'), { headers: { authorization: 'other-api-key' } });
      assert.equal(wrongApi.status, 403);
      assert.equal(wrongApi.text(), tykError('Access to this API has been disallowed'));
      assert.equal((await request(env.gw.url('/other/x'), { headers: { authorization: 'other-api-key' } })).status, 200);
    });

    it('rate 5 per 10 s: exactly 5 of 20 concurrent requests pass, the rest get 429 with the headers', async (t) => {
      if (skip(t)) return;
      await createKey('rate-key-5', { rate: 5, per: 10 });
      const results = await Promise.all(Array.from({ length: 20 }, () => request(env.gw.url('/k/burst'), { headers: { authorization: 'rate-key-5' } })));
      const passed = results.filter((r) => r.status === 200);
      const limited = results.filter((r) => r.status === 429);
      assert.equal(passed.length, 5);
      assert.equal(limited.length, 15);
      for (const r of limited) {
        assert.equal(r.text(), tykError('Rate Limit Exceeded'));
        assert.equal(r.headers['x-ratelimit-limit'], '5');
        assert.equal(r.headers['x-ratelimit-remaining'], '0');
        const reset = Number(r.headers['x-ratelimit-reset']);
        assert.ok(reset > Date.now() / 1000 && reset <= Date.now() / 1000 + 11, `reset ${reset}`);
      }
      assert.deepEqual(passed.map((r) => r.headers['x-ratelimit-limit']), ['5', '5', '5', '5', '5']);
      assert.deepEqual(passed.map((r) => Number(r.headers['x-ratelimit-remaining'])).sort(), [0, 1, 2, 3, 4]);
    });

    it('quota 3: the fourth request is 403 "Quota exceeded"; deleting the key resets its counters', async (t) => {
      if (skip(t)) return;
      await createKey('quota-key-3', { quota_max: 3, quota_renewal_rate: 3600 });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await request(env.gw.url('/k/q'), { headers: { authorization: 'quota-key-3' } })).status);
      assert.deepEqual(statuses, [200, 200, 200, 403]);
      const after = await request(env.gw.url('/k/q'), { headers: { authorization: 'quota-key-3' } });
      assert.equal(after.text(), tykError('Quota exceeded'));
      const stored = (await control(env.gw.url(''), 'GET', `/tyk/keys/${ORG}quota-key-3`)).json() as { quota_remaining?: number; quota_renews?: number };
      assert.equal(stored.quota_remaining ?? 0, 0, 'quota_remaining is written back to the session');
      assert.ok((stored.quota_renews ?? 0) > Date.now() / 1000);
      assert.equal((await control(env.gw.url(''), 'DELETE', `/tyk/keys/${ORG}quota-key-3`)).status, 200);
      await createKey('quota-key-3', { quota_max: 3, quota_renewal_rate: 3600 });
      assert.equal((await request(env.gw.url('/k/q'), { headers: { authorization: 'quota-key-3' } })).status, 200);
    });
  });
}

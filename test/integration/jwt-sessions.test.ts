import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { keylessApi } from '../helpers/apis.js';
import { startStoreGateway, type StoreGateway } from '../helpers/store-gateway.js';
import { control, keySession, SECRET } from '../helpers/control.js';
import type { GatewayProcess } from '../helpers/gateway-process.js';
import { request, tykError } from '../helpers/http.js';
import { b64, now, rsaKeys, sign, spki } from '../helpers/jwt.js';

const ORG = 'org1';
const SECRET_HS = 'centralised-hmac-secret';
const rsa = rsaKeys();
const APIS = ['central', 'path', 'client', 'one', 'onersa', 'skipkid', 'andtoken', 'andjwt'];
const access = Object.fromEntries(APIS.map((id) => [id, {}]));
const POLICIES = {
  gold: { org_id: ORG, rate: 2, per: 60, access_rights: access, tags: ['gold'] },
  silver: { org_id: ORG, rate: 4, per: 60, access_rights: access, meta_data: { tier: 'silver' } },
  open: { org_id: ORG, rate: 1000, per: 1, access_rights: access },
};
const api = (id: string, fields: Record<string, unknown>) => ({ ...keylessApi(id, `/${id}/`, 'http://placeholder'), org_id: ORG, use_keyless: false, enable_jwt: true, ...fields });
const central = { jwt_signing_method: 'hmac', jwt_source: b64(SECRET_HS) };
const sessionIdOf = (identity: string) => `${ORG}${createHash('md5').update(identity).digest('hex')}`;

for (const backend of ['memory', 'redis'] as const) {
  describe(`JWT sessions (${backend} store)`, () => {
    let fixture: StoreGateway;
    let gw: GatewayProcess;
    before(async () => {
      fixture = await startStoreGateway(backend, (up) => {
        const at = (def: Record<string, unknown>) => ({ ...def, proxy: { ...(def['proxy'] as object), target_url: up.origin } });
        return {
          config: { secret: SECRET, policies: { policy_record_name: 'policies.json' } },
          files: { 'policies.json': POLICIES },
          apis: {
            'central.json': at(api('central', { ...central, jwt_policy_field_name: 'pol', jwt_default_policies: ['gold'] })),
            'path.json': at(api('path', { ...central, jwt_identity_base_field: 'user.id', jwt_policy_field_name: 'pol' })),
            'client.json': at(api('client', { ...central, jwt_client_base_field: 'azp' })),
            'one.json': at(api('one', { jwt_signing_method: 'hmac' })),
            'onersa.json': at(api('onersa', { jwt_signing_method: 'rsa' })),
            'skipkid.json': at(api('skipkid', { jwt_signing_method: 'hmac', jwt_skip_kid: true })),
            'andtoken.json': at(api('andtoken', { ...central, jwt_default_policies: ['open'], use_standard_auth: true, base_identity_provided_by: 'auth_token', auth_configs: { jwt: { auth_header_name: 'X-JWT' } } })),
            'andjwt.json': at(api('andjwt', { ...central, jwt_default_policies: ['gold'], use_standard_auth: true, base_identity_provided_by: 'jwt_claim', auth_configs: { jwt: { auth_header_name: 'X-JWT' } } })),
          },
        };
      });
      gw = fixture.gw;
    });
    after(() => fixture.stop());
    const skip = (t: { skip: (m: string) => void }) => fixture.skip(t);
    const hs = (claims: Record<string, unknown>, header: Record<string, unknown> = {}, secret = SECRET_HS) => sign({ exp: now() + 600, ...claims }, 'HS256', secret, header);
    const statuses = async (path: string, headers: Record<string, string>, n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await request(gw.url(path), { headers })).status);
      return out;
    };
    const stored = async (key: string) => (await control(gw.url(''), 'GET', `/tyk/keys/${key}`)).json() as Record<string, unknown>;

    it('centralised, default policy: a session per identity is created from the policy, stored, and rate-limited by it', async (t) => {
      if (skip(t)) return;
      const exp = now() + 3600;
      const token = await sign({ sub: 'carol', exp }, 'HS256', SECRET_HS);
      assert.deepEqual(await statuses('/central/x', { authorization: `Bearer ${token}` }, 3), [200, 200, 429], 'policy gold: 2 per minute');
      const session = await stored(sessionIdOf('carol'));
      assert.deepEqual(session['apply_policies'], ['gold']);
      assert.equal(session['alias'], 'carol');
      assert.equal(session['expires'], exp, 'the session expires with the token');
      assert.equal((session['meta_data'] as Record<string, unknown>)['TykJWTSessionID'], sessionIdOf('carol'));
    });

    it('centralised, policy claim: the named policy applies; a later token naming another switches the session', async (t) => {
      if (skip(t)) return;
      const silver = { authorization: await hs({ sub: 'dave', pol: 'silver' }) };
      assert.deepEqual(await statuses('/central/x', silver, 5), [200, 200, 200, 200, 429], 'policy silver: 4 per minute');
      assert.deepEqual((await stored(sessionIdOf('dave')))['apply_policies'], ['silver']);
      await request(gw.url('/central/x'), { headers: { authorization: await hs({ sub: 'dave', pol: 'gold' }) } });
      assert.deepEqual((await stored(sessionIdOf('dave')))['apply_policies'], ['gold']);
      const unknown = await request(gw.url('/central/x'), { headers: { authorization: await hs({ sub: 'erin', pol: 'platinum' }) } });
      assert.equal(unknown.status, 403);
      assert.equal(unknown.text(), tykError('key not authorized: no matching policy'));
    });

    it('identity from a nested claim path; missing or empty identities and no policy answer with Tyk\'s texts', async (t) => {
      if (skip(t)) return;
      assert.equal((await request(gw.url('/path/x'), { headers: { authorization: await hs({ user: { id: 'frank' }, sub: 'ignored', pol: 'silver' }) } })).status, 200);
      assert.equal((await stored(sessionIdOf('frank')))['alias'], 'frank');
      const cases: [Record<string, unknown>, string][] = [
        [{ user: { id: '' }, pol: 'silver' }, 'found an empty user ID in predefined base claim, claim: user.id'],
        [{ sub: '', pol: 'silver' }, 'found an empty user ID in sub claim'],
        [{ pol: 'silver' }, 'no suitable claims for user ID were found'],
        [{ sub: 'gina' }, 'key not authorized: no matching policy found'],
      ];
      for (const [claims, message] of cases) {
        const res = await request(gw.url('/path/x'), { headers: { authorization: await hs(claims) } });
        assert.equal(res.status, 403, message);
        assert.equal(res.text(), tykError(message));
      }
    });

    it('centralised, client base field: the policy of the key named by the claim', async (t) => {
      if (skip(t)) return;
      await control(gw.url(''), 'POST', '/tyk/keys/client-app-1', keySession('client', ORG, { apply_policies: ['silver'] }));
      assert.equal((await request(gw.url('/client/x'), { headers: { authorization: await hs({ sub: 'henry', azp: 'client-app-1' }) } })).status, 200);
      assert.deepEqual((await stored(sessionIdOf('henry')))['apply_policies'], ['silver']);
    });

    it('one-to-one: the key named by kid (or by sub with jwt_skip_kid) verifies with its jwt_data.secret', async (t) => {
      if (skip(t)) return;
      await control(gw.url(''), 'POST', '/tyk/keys/ivy-key', keySession('one', ORG, { jwt_data: { secret: 'ivy-secret' }, access_rights: { one: {}, skipkid: {} } }));
      assert.equal((await request(gw.url('/one/x'), { headers: { authorization: await hs({ sub: 'x' }, { kid: 'ivy-key' }, 'ivy-secret') } })).status, 200);
      const wrong = await request(gw.url('/one/x'), { headers: { authorization: await hs({ sub: 'x' }, { kid: 'ivy-key' }, 'guess') } });
      assert.equal(wrong.status, 403);
      assert.equal(wrong.text(), tykError('Key not authorized'));
      assert.equal((await request(gw.url('/one/x'), { headers: { authorization: await hs({}, { kid: 'nobody-key' }, 'ivy-secret') } })).status, 403);
      assert.equal((await request(gw.url('/skipkid/x'), { headers: { authorization: await hs({ sub: 'ivy-key' }, { kid: 'ignored' }, 'ivy-secret') } })).status, 200);
      await control(gw.url(''), 'POST', '/tyk/keys/no-secret-key', keySession('one', ORG));
      assert.equal((await request(gw.url('/one/x'), { headers: { authorization: await hs({}, { kid: 'no-secret-key' }, 'anything') } })).status, 403, 'a key without a secret never verifies');
    });

    it('one-to-one RSA: the key\'s secret is its PEM public key; HMAC with that PEM is refused', async (t) => {
      if (skip(t)) return;
      await control(gw.url(''), 'POST', '/tyk/keys/jack-key', keySession('onersa', ORG, { jwt_data: { secret: spki(rsa.publicKey) } }));
      const good = await sign({ exp: now() + 60 }, 'RS256', rsa.privateKey, { kid: 'jack-key' });
      assert.equal((await request(gw.url('/onersa/x'), { headers: { authorization: good } })).status, 200);
      const confused = await sign({ exp: now() + 60 }, 'HS256', spki(rsa.publicKey), { kid: 'jack-key' });
      const res = await request(gw.url('/onersa/x'), { headers: { authorization: confused } });
      assert.equal(res.text(), tykError('Key not authorized: Unexpected signing method'));
    });

    it('JWT AND auth token: base_identity_provided_by chooses whose session (and limits) apply', async (t) => {
      if (skip(t)) return;
      await control(gw.url(''), 'POST', '/tyk/keys/kate-token', keySession('andtoken', ORG, { rate: 1, per: 60, access_rights: { andtoken: {}, andjwt: {} } }));
      const both = { authorization: 'kate-token', 'x-jwt': await hs({ sub: 'kate' }) };
      assert.deepEqual(await statuses('/andtoken/x', both, 2), [200, 429], 'auth_token: the key\'s 1 per minute');
      assert.deepEqual(await statuses('/andjwt/x', both, 3), [200, 200, 429], 'jwt_claim: the JWT\'s gold policy, 2 per minute');
      const noJwt = await request(gw.url('/andtoken/x'), { headers: { authorization: 'kate-token' } });
      assert.equal(noJwt.status, 400, 'both methods must pass');
      const noToken = await request(gw.url('/andjwt/x'), { headers: { 'x-jwt': await hs({ sub: 'kate' }) } });
      assert.equal(noToken.status, 401);
    });
  });
}

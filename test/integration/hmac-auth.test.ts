import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { coprocessConfig, keylessApi } from '../helpers/apis.js';
import { control, keySession, SECRET } from '../helpers/control.js';
import { startGatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin } from '../helpers/grpc-plugin.js';
import { signedHeaders } from '../helpers/hmac.js';
import { request, tykError } from '../helpers/http.js';
import { gatewayOnStore } from '../helpers/store-gateway.js';
import { startUpstream } from '../helpers/upstream.js';

const ORG = 'org1';
const INVALID = tykError('Authorization field missing, malformed or invalid');
const REPLAY_SKEW_MS = 2000;

const api = (id: string, extra: Record<string, unknown>, target: string) => ({
  ...keylessApi(id, `/${id}/`, target),
  org_id: ORG,
  use_keyless: false,
  enable_signature_checking: true,
  hmac_allowed_clock_skew: 5000,
  ...extra,
});

for (const backend of ['memory', 'redis'] as const) {
  describe(`HMAC request signatures (${backend} store)`, () => {
    const env = gatewayOnStore(backend, (target) => ({
      'h.json': api('h', {}, target),
      'hs.json': api('hs', { hmac_allowed_algorithms: ['hmac-sha256'] }, target),
      'hr.json': api('hr', { hmac_allowed_clock_skew: REPLAY_SKEW_MS }, target),
      'hq.json': api('hq', { auth_configs: { hmac: { disable_header: true, use_param: true, param_name: 'sig' } } }, target),
      'both.json': api('both', { use_standard_auth: true, base_identity_provided_by: 'hmac_key', auth_configs: { authToken: { auth_header_name: 'X-Api-Key' } } }, target),
      'both-token.json': api('both-token', { use_standard_auth: true, base_identity_provided_by: 'auth_token', auth_configs: { authToken: { auth_header_name: 'X-Api-Key' } } }, target),
    }));
    const skip = env.skip;
    const rights = (...apis: string[]) => Object.fromEntries(apis.map((id) => [id, { api_id: id, api_name: id, versions: ['Default'] }]));
    /** A key made by /tyk/keys/create with hmac_enabled: the gateway generates the secret. */
    const createHmacKey = async (fields: Record<string, unknown>, apis = ['h']) => {
      const created = await control(env.gw.url(''), 'POST', '/tyk/keys/create', { org_id: ORG, access_rights: rights(...apis), hmac_enabled: true, ...fields });
      assert.equal(created.status, 200, created.text());
      const { key } = created.json() as { key: string };
      const stored = (await control(env.gw.url(''), 'GET', `/tyk/keys/${key}`)).json() as { hmac_string?: string };
      return { key, secret: stored.hmac_string ?? '' };
    };
    const get = (path: string, headers: Record<string, string>, method = 'GET') => request(env.gw.url(path), { method, headers });

    it('/tyk/keys/create generates the secret; a signed request passes with the key\'s rate limit applied', async (t) => {
      if (skip(t)) return;
      const { key, secret } = await createHmacKey({ rate: 3, per: 60, hmac_string: 'ignored-client-secret' });
      assert.match(Buffer.from(secret, 'base64').toString('utf8'), /^[0-9a-f]{32}$/, 'base64 of a UUID hex, replacing the one sent');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await get('/h/items/1', signedHeaders(key, secret, { path: '/h/items/1' }));
        statuses.push(res.status);
        if (i === 0) {
          assert.equal(res.headers['x-ratelimit-limit'], '3');
          assert.equal(env.up.received.at(-1)?.url, '/items/1', 'the listen path is stripped after the signature was checked on the full path');
        }
      }
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      assert.doesNotMatch(env.gw.logs.map((l) => JSON.stringify(l)).join('\n') + env.gw.stderr(), new RegExp(secret.replace(/[+/=]/g, '.')), 'the secret is never logged');
    });

    it('accepts every HMAC algorithm, x-aux-date, lowercase escapes, other signed headers and a query-parameter credential', async (t) => {
      if (skip(t)) return;
      const { key, secret } = await createHmacKey({}, ['h', 'hq']);
      for (const algorithm of ['hmac-sha1', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512']) {
        assert.equal((await get('/h/a', signedHeaders(key, secret, { path: '/h/a', algorithm }))).status, 200, algorithm);
      }
      const aux = signedHeaders(key, secret, { path: '/h/a', headers: { 'x-aux-date': new Date().toUTCString() }, sign: ['x-aux-date'] });
      assert.equal((await get('/h/a', { ...aux, date: 'not a date at all' })).status, 200, 'x-aux-date is preferred to Date');
      const lowered = signedHeaders(key, secret, { path: '/h/a' });
      lowered['authorization'] = (lowered['authorization'] as string).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
      assert.equal((await get('/h/a', lowered)).status, 200, 'lowercase %xx escapes are retried uppercased');
      const extra = signedHeaders(key, secret, { method: 'POST', path: '/h/a', headers: { 'x-request-id': 'r-1', 'content-type': 'text/plain' }, sign: ['(request-target)', 'date', 'x-request-id', 'content-type'] });
      assert.equal((await request(env.gw.url('/h/a'), { method: 'POST', headers: extra, body: 'x' })).status, 200);
      const { authorization, ...rest } = signedHeaders(key, secret, { path: '/hq/a' });
      assert.equal((await get(`/hq/a?sig=${encodeURIComponent(authorization as string)}`, rest)).status, 200);
    });

    it('refuses a wrong signature, and one made for another path or method, with Tyk\'s 400', async (t) => {
      if (skip(t)) return;
      const { key, secret } = await createHmacKey({});
      const wrongSecret = await get('/h/a', signedHeaders(key, 'not-the-secret', { path: '/h/a' }));
      assert.equal(wrongSecret.status, 400);
      assert.equal(wrongSecret.text(), INVALID);
      assert.equal((await get('/h/b', signedHeaders(key, secret, { path: '/h/a' }))).status, 400, 'another path');
      assert.equal((await get('/h/a', signedHeaders(key, secret, { path: '/h/a' }), 'DELETE')).status, 400, 'another method');
      assert.equal((await get('/h/a', signedHeaders(key, secret, { path: '/a' }))).status, 400, 'the path without the listen path');
      const tampered = signedHeaders(key, secret, { path: '/h/a', headers: { 'x-amount': '10' }, sign: ['date', 'x-amount'] });
      assert.equal((await get('/h/a', { ...tampered, 'x-amount': '1000' })).status, 400, 'a signed header changed in transit');
      assert.equal((await get('/h/a', {})).status, 400, 'no credential at all');
      assert.equal((await get('/h/a', { authorization: 'Bearer some-token' })).status, 400, 'not a signature');
    });

    it('refuses a header listed in headers but missing from the request', async (t) => {
      if (skip(t)) return;
      const { key, secret } = await createHmacKey({});
      const signed = signedHeaders(key, secret, { path: '/h/a', headers: { 'x-signed': 'v' }, sign: ['(request-target)', 'date', 'x-signed'] });
      assert.equal((await get('/h/a', signed)).status, 200);
      const { 'x-signed': _dropped, ...without } = signed;
      const res = await get('/h/a', without);
      assert.equal(res.status, 400);
      assert.equal(res.text(), INVALID);
      // Tyk signs an absent header as "x-absent: " and would let this through; Hookgate fails it.
      const signedEmpty = signedHeaders(key, secret, { path: '/h/a', sign: ['(request-target)', 'date', 'x-absent'] });
      assert.equal((await get('/h/a', signedEmpty)).status, 400);
    });

    it('refuses a Date outside the allowed skew, in the past or the future, and a missing Date', async (t) => {
      if (skip(t)) return;
      const { key, secret } = await createHmacKey({});
      assert.equal((await get('/h/a', signedHeaders(key, secret, { path: '/h/a', date: new Date(Date.now() - 60_000) }))).status, 400, 'too old');
      assert.equal((await get('/h/a', signedHeaders(key, secret, { path: '/h/a', date: new Date(Date.now() + 60_000) }))).status, 400, 'in the future');
      assert.equal((await get('/h/a', signedHeaders(key, secret, { path: '/h/a', date: new Date(Date.now() - 2000) }))).status, 200, 'within 5 s');
      const noDate = signedHeaders(key, secret, { path: '/h/a', sign: ['(request-target)'] });
      delete noDate['date'];
      assert.equal((await get('/h/a', noDate)).status, 400, 'no Date at all, even when it is not signed (quirk 4, kept)');
    });

    it('refuses a captured signed request replayed after the skew window', async (t) => {
      if (skip(t)) return;
      const { key, secret } = await createHmacKey({}, ['hr']);
      const captured = signedHeaders(key, secret, { path: '/hr/pay' });
      assert.equal((await get('/hr/pay', captured)).status, 200);
      assert.equal((await get('/hr/pay', captured)).status, 200, 'within the window a replay passes: Tyk has no nonce (docs/auth.md)');
      await sleep(REPLAY_SKEW_MS + 1100);
      const replayed = await get('/hr/pay', captured);
      assert.equal(replayed.status, 400);
      assert.equal(replayed.text(), INVALID);
    });

    it('refuses algorithms the API does not allow, unknown ones and RSA', async (t) => {
      if (skip(t)) return;
      const { key, secret } = await createHmacKey({}, ['h', 'hs']);
      assert.equal((await get('/hs/a', signedHeaders(key, secret, { path: '/hs/a', algorithm: 'hmac-sha256' }))).status, 200);
      assert.equal((await get('/hs/a', signedHeaders(key, secret, { path: '/hs/a', algorithm: 'hmac-sha1' }))).status, 400, 'not in hmac_allowed_algorithms');
      assert.equal((await get('/h/a', signedHeaders(key, secret, { path: '/h/a', algorithm: 'hmac-md5' }))).status, 400, 'unknown: not computed as SHA-1');
      assert.equal((await get('/h/a', signedHeaders(key, secret, { path: '/h/a', algorithm: 'rsa-sha256' }))).status, 400, 'RSA needs the certificate store');
    });

    it('refuses an unknown keyId and a key not enabled for HMAC; enable_http_signature_validation also enables it', async (t) => {
      if (skip(t)) return;
      assert.equal((await get('/h/a', signedHeaders('no-such-key', 'whatever', { path: '/h/a' }))).status, 400);
      const make = async (name: string, fields: Record<string, unknown>) => {
        const res = await control(env.gw.url(''), 'POST', `/tyk/keys/${name}`, keySession('h', ORG, { hmac_string: 'chosen-secret', ...fields }));
        assert.equal(res.status, 200, res.text());
      };
      await make('plain-key-1', {});
      const plain = await get('/h/a', signedHeaders('plain-key-1', 'chosen-secret', { path: '/h/a' }));
      assert.equal(plain.status, 400);
      assert.equal(plain.text(), INVALID);
      await make('empty-secret-key', { hmac_enabled: true, hmac_string: '' });
      assert.equal((await get('/h/a', signedHeaders('empty-secret-key', '', { path: '/h/a' }))).status, 400);
      await make('http-sig-key', { enable_http_signature_validation: true });
      assert.equal((await get('/h/a', signedHeaders('http-sig-key', 'chosen-secret', { path: '/h/a' }))).status, 200);
      await make('chosen-hmac-key', { hmac_enabled: true });
      assert.equal((await get('/h/a', signedHeaders('chosen-hmac-key', 'chosen-secret', { path: '/h/a' }))).status, 200, 'POST /tyk/keys/{name} keeps the secret sent');
    });

    it('HMAC AND auth token: base_identity_provided_by chooses whose session (and limits) apply', async (t) => {
      if (skip(t)) return;
      const { key, secret } = await createHmacKey({ rate: 7, per: 60 }, ['both', 'both-token']);
      const token = await control(env.gw.url(''), 'POST', '/tyk/keys/both-token-key', { org_id: ORG, access_rights: rights('both', 'both-token'), rate: 50, per: 60 });
      assert.equal(token.status, 200, token.text());
      const both = await get('/both/a', { ...signedHeaders(key, secret, { path: '/both/a' }), 'x-api-key': 'both-token-key' });
      assert.equal(both.status, 200);
      assert.equal(both.headers['x-ratelimit-limit'], '7', 'hmac_key: the HMAC key\'s session');
      const byToken = await get('/both-token/a', { ...signedHeaders(key, secret, { path: '/both-token/a' }), 'x-api-key': 'both-token-key' });
      assert.equal(byToken.status, 200);
      assert.equal(byToken.headers['x-ratelimit-limit'], '50', 'auth_token: the token\'s session');
      const noToken = await get('/both/a', signedHeaders(key, secret, { path: '/both/a' }));
      assert.equal(noToken.status, 401, 'both must pass');
      assert.equal(noToken.text(), tykError('Authorization field missing'));
      const noSignature = await get('/both/a', { 'x-api-key': 'both-token-key', date: new Date().toUTCString() });
      assert.equal(noSignature.status, 400, 'HMAC runs before the token, as in Tyk');
      assert.equal(noSignature.text(), INVALID);
    });
  });
}

describe('HMAC failures fire AuthFailure', () => {
  it('keyed by the keyId (empty when none could be read), delivered to the API\'s cp_dynamic_handler', async () => {
    const plugin = await startGrpcPlugin();
    const up = await startUpstream();
    const handler = [{ handler_name: 'cp_dynamic_handler', handler_meta: { name: 'OnAuthFailure' } }];
    const gw = await startGatewayProcess({
      config: { secret: SECRET, ...coprocessConfig(plugin.address) },
      apis: { 'h.json': api('h', { custom_middleware: { driver: 'grpc', pre: [{ name: 'Pre' }] }, event_handlers: { events: { AuthFailure: handler } } }, up.origin) },
    });
    try {
      assert.equal((await request(gw.url('/h/a'), { headers: signedHeaders('the-key-id', 'wrong', { path: '/h/a' }) })).status, 400);
      assert.equal((await request(gw.url('/h/b'), { headers: { authorization: 'garbage' } })).status, 400);
      const events = () => plugin.events.map((e) => JSON.parse(e) as { message: { Type: string; Meta: Record<string, string> }; handler_name: string });
      for (let i = 0; i < 100 && events().length < 2; i++) await sleep(20);
      const byPath = new Map(events().map((e) => [e.message.Meta['Path'], e]));
      assert.equal(byPath.get('/h/a')?.message.Type, 'AuthFailure');
      assert.equal(byPath.get('/h/a')?.handler_name, 'OnAuthFailure');
      assert.equal(byPath.get('/h/a')?.message.Meta['Key'], 'the-key-id');
      assert.equal(byPath.get('/h/b')?.message.Meta['Key'], '');
    } finally {
      await gw.stop();
      await plugin.stop();
      await up.close();
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CoprocessObject__Output } from '../../coprocess/protocol/index.js';
import { coprocessConfig } from '../helpers/apis.js';
import { hmacSignature, hs256, keyBodies, KEYS, RATE } from '../helpers/auth-methods.js';
import { control, SECRET } from '../helpers/control.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin, type GrpcPlugin } from '../helpers/grpc-plugin.js';
import { request, tykError } from '../helpers/http.js';
import { oasApi } from '../helpers/oas.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

/**
 * The two examples of seed 002 ("Combine Authentication Methods"), written as the seed writes
 * them, loaded by a real gateway and called as a client would. Each method's session has its own
 * rate (X-RateLimit-Limit), so the answer shows which alternative supplied the session.
 */
const ORG = 'org1';

/** "Basic Example: API with Multiple Auth Methods": api_key (X-API-Key) OR jwt_auth (bearer JWT). */
const basicExample = (id: string, target: string, mode?: 'compliant') =>
  oasApi(id, `/${id}/`, target, {
    orgId: ORG,
    components: {
      api_key: { type: 'apiKey', name: 'X-API-Key', in: 'header', description: 'API key for service-to-service authentication' },
      jwt_auth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'JWT token for user authentication' },
    },
    security: [{ api_key: [] }, { jwt_auth: [] }],
    authentication: {
      ...(mode === undefined ? {} : { securityProcessingMode: mode }),
      securitySchemes: { api_key: { enabled: true }, jwt_auth: { enabled: true, signingMethod: 'hmac' } },
    },
  });

/**
 * "Using Proprietary Auth Methods": jwt_auth OR (hmac AND api_key) OR custom_auth. As the seed
 * writes it, HMAC and api_key both read the Authorization header, so the middle alternative can
 * never pass; `hmacHeader` moves HMAC's signature to its own header (the one change needed).
 */
const proprietaryExample = (id: string, target: string, hmacHeader?: string, allowedClockSkew?: number) =>
  oasApi(id, `/${id}/`, target, {
    orgId: ORG,
    components: {
      api_key: { type: 'apiKey', name: 'Authorization', in: 'header' },
      jwt_auth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    },
    security: [{ jwt_auth: [] }],
    authentication: {
      securityProcessingMode: 'compliant',
      security: [['hmac', 'api_key'], ['custom_auth']],
      securitySchemes: {
        jwt_auth: { enabled: true, signingMethod: 'hmac' },
        api_key: { enabled: true },
        hmac: {
          enabled: true,
          ...(hmacHeader === undefined ? {} : { header: { enabled: true, name: hmacHeader } }),
          ...(allowedClockSkew === undefined ? {} : { allowedClockSkew }),
        },
        custom_auth: { enabled: true, config: { authType: 'coprocess', functionName: 'MyAuth' } },
      },
    },
    middleware: { global: { pluginConfig: { driver: 'grpc' } } },
  });

describe("seed 002's examples on a running gateway", () => {
  let plugin: GrpcPlugin;
  let up: TestUpstream;
  let gw: GatewayProcess;
  const limitOf = (res: { headers: Record<string, string | string[] | undefined> }) => Number(res.headers['x-ratelimit-limit']);
  const bearer = (secret: string = KEYS.jwtSecret) => `Bearer ${hs256(secret)}`;
  const signed = (secret: string = KEYS.hmacSecret, date = new Date()) => ({ date: date.toUTCString(), 'x-signature': hmacSignature(secret, date.toUTCString()) });

  before(async () => {
    plugin = await startGrpcPlugin({
      MyAuth: (o: CoprocessObject__Output) => {
        if (o.request?.headers['X-Plugin'] !== KEYS.pluginValid) return o;
        o.session = { rate: RATE.custom, per: 60, metadata: { token: KEYS.pluginValid } } as never;
        o.metadata = { token: KEYS.pluginValid };
        return o;
      },
    });
    up = await startUpstream();
    gw = await startGatewayProcess({
      config: { secret: SECRET, ...coprocessConfig(plugin.address) },
      apis: {
        'either.json': basicExample('either', up.origin, 'compliant'),
        'legacy.json': basicExample('legacy', up.origin),
        'proprietary.json': proprietaryExample('proprietary', up.origin),
        'proprietary-hmac.json': proprietaryExample('proprietary-hmac', up.origin, 'X-Signature'),
        'proprietary-skew.json': proprietaryExample('proprietary-skew', up.origin, 'X-Signature', 60_000),
      },
    });
    for (const [name, body] of Object.entries(keyBodies(ORG, ['either', 'legacy', 'proprietary', 'proprietary-hmac', 'proprietary-skew']))) {
      const created = await control(gw.url(''), 'POST', `/tyk/keys/${name}`, body);
      assert.equal(created.status, 200, created.text());
    }
  });
  after(async () => {
    await gw?.stop();
    await plugin?.stop();
    await up?.close();
  });

  describe('api_key OR jwt_auth', () => {
    it('compliant: Option 1 (the API key) and Option 2 (the JWT) each authenticate, with their own session', async () => {
      const byKey = await request(gw.url('/either/a'), { headers: { 'x-api-key': KEYS.token } });
      assert.equal(byKey.status, 200, byKey.text());
      assert.equal(limitOf(byKey), RATE.token);
      const byJwt = await request(gw.url('/either/a'), { headers: { authorization: bearer() } });
      assert.equal(byJwt.status, 200, byJwt.text());
      assert.equal(limitOf(byJwt), RATE.jwt);
    });

    it('compliant: neither valid answers with the last attempted method (JWT); nothing reaches the upstream', async () => {
      const before = up.received.length;
      const bad = await request(gw.url('/either/a'), { headers: { 'x-api-key': 'no-such-key', authorization: bearer('not-the-secret') } });
      assert.equal(bad.status, 403);
      assert.equal(bad.text(), tykError('Key not authorized'));
      const none = await request(gw.url('/either/a'));
      assert.equal(none.status, 400, 'a missing JWT is 400 in Tyk');
      assert.equal(none.text(), tykError('Authorization field missing'));
      assert.equal(up.received.length, before);
    });

    it('legacy (mode omitted): only Option 1 is processed, so the JWT alone is refused', async () => {
      assert.equal((await request(gw.url('/legacy/a'), { headers: { 'x-api-key': KEYS.token } })).status, 200);
      const byJwt = await request(gw.url('/legacy/a'), { headers: { authorization: bearer() } });
      assert.equal(byJwt.status, 401);
      assert.equal(byJwt.text(), tykError('Authorization field missing'));
    });
  });

  describe('jwt_auth OR (hmac AND api_key) OR custom_auth', () => {
    it('the JWT alternative and the custom plugin alternative each authenticate, with their own session', async () => {
      for (const id of ['proprietary', 'proprietary-hmac']) {
        const byJwt = await request(gw.url(`/${id}/a`), { headers: { authorization: bearer() } });
        assert.equal(byJwt.status, 200, byJwt.text());
        assert.equal(limitOf(byJwt), RATE.jwt);
        const byPlugin = await request(gw.url(`/${id}/a`), { headers: { 'x-plugin': KEYS.pluginValid } });
        assert.equal(byPlugin.status, 200, byPlugin.text());
        assert.equal(limitOf(byPlugin), RATE.custom);
      }
    });

    it('hmac AND api_key: both must pass, and the session is the key\'s (the last method in Tyk\'s order)', async () => {
      const both = await request(gw.url('/proprietary-hmac/a'), { headers: { ...signed(), authorization: KEYS.token } });
      assert.equal(both.status, 200, both.text());
      assert.equal(limitOf(both), RATE.token);
      const keyOnly = await request(gw.url('/proprietary-hmac/a'), { headers: { authorization: KEYS.token } });
      assert.equal(keyOnly.status, 403, 'the API key alone does not satisfy the HMAC AND api_key alternative');
      const badSignature = await request(gw.url('/proprietary-hmac/a'), { headers: { ...signed('not-the-secret'), authorization: KEYS.token } });
      assert.equal(badSignature.status, 403);
      assert.equal(badSignature.text(), tykError('Forbidden'), 'every alternative failed: the custom plugin, tried last, answers');
    });

    it('a signed request replayed outside the clock skew is refused; without a skew (the seed, Tyk\'s default) it is not, and the load warns', async () => {
      const old = signed(KEYS.hmacSecret, new Date(Date.now() - 10 * 60_000));
      const replay = await request(gw.url('/proprietary-skew/a'), { headers: { ...old, authorization: KEYS.token } });
      assert.equal(replay.status, 403);
      const fresh = await request(gw.url('/proprietary-skew/a'), { headers: { ...signed(), authorization: KEYS.token } });
      assert.equal(fresh.status, 200, fresh.text());
      const unlimited = await request(gw.url('/proprietary-hmac/a'), { headers: { ...old, authorization: KEYS.token } });
      assert.equal(unlimited.status, 200, 'as in Tyk, a skew of 0 does not compare the date');
      const warned = gw.logs.filter((l) => String(l.msg).includes('signed requests never expire')).map((l) => String(l['file']));
      assert.ok(warned.some((f) => f.endsWith('proprietary-hmac.json')) && !warned.some((f) => f.endsWith('proprietary-skew.json')), `warned for ${JSON.stringify(warned)}`);
    });

    it('as the seed writes it (HMAC and api_key on one header), the middle alternative cannot pass; the others still do', async () => {
      const both = await request(gw.url('/proprietary/a'), { headers: { authorization: signed()['x-signature'], date: new Date().toUTCString() } });
      assert.equal(both.status, 403);
    });
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CoprocessObject__Output } from '../../coprocess/protocol/index.js';
import { coprocessConfig, keylessApi } from '../helpers/apis.js';
import { BASE_IDENTITY, combinations, credentialHeaders, HEADERS, INVALID, keyBodies, KEYS, RATE, TYK_ORDER, type Method } from '../helpers/auth-methods.js';
import { control, SECRET } from '../helpers/control.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin, type GrpcPlugin } from '../helpers/grpc-plugin.js';
import { request, tykError } from '../helpers/http.js';
import { customAuth, GRPC_PLUGINS, oasApi, SCHEMES } from '../helpers/oas.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

/**
 * The acceptance table of the auth issue: every combination of two and three methods, in legacy
 * mode (Classic definitions, AND) and compliant mode (Tyk OAS, OR of AND), with valid and invalid
 * credentials for each method, checking the status, the error text, which session was chosen
 * (each method's session has its own rate, shown in X-RateLimit-Limit) and that a failed
 * alternative left nothing behind.
 */
const ORG = 'org1';
const last = (methods: readonly Method[]) => [...methods].sort((a, b) => TYK_ORDER.indexOf(a) - TYK_ORDER.indexOf(b)).at(-1) as Method;
const BIP_METHOD = Object.fromEntries(Object.entries(BASE_IDENTITY).map(([m, v]) => [v, m])) as Record<string, Method>;

function classicApi(id: string, methods: readonly Method[], baseIdentity: string, target: string) {
  const def: Record<string, unknown> = { ...keylessApi(id, `/${id}/`, target), org_id: ORG, use_keyless: false, base_identity_provided_by: baseIdentity };
  const configs: Record<string, unknown> = {};
  for (const method of methods) {
    if (method === 'basic') Object.assign(def, { use_basic_auth: true });
    if (method === 'hmac') Object.assign(def, { enable_signature_checking: true, hmac_allowed_algorithms: ['hmac-sha256'], hmac_allowed_clock_skew: 60_000 });
    if (method === 'jwt') Object.assign(def, { enable_jwt: true, jwt_signing_method: 'hmac' });
    if (method === 'custom') Object.assign(def, { enable_coprocess_auth: true, custom_middleware: { driver: 'grpc', auth_check: { name: 'Auth' } } });
    if (method === 'token') Object.assign(def, { use_standard_auth: true });
    const key = { basic: 'basic', hmac: 'hmac', jwt: 'jwt', custom: 'coprocess', token: 'authToken' }[method];
    configs[key] = { auth_header_name: HEADERS[method] };
  }
  def['auth_configs'] = configs;
  return def;
}

const SCHEME_NAME: Record<Method, string> = { basic: 'basic_auth', hmac: 'hmac', jwt: 'jwt_auth', custom: 'custom', token: 'api_key' };

function compliantApi(id: string, requirements: readonly (readonly Method[])[], target: string) {
  const used = new Set(requirements.flat());
  const header = (method: Method) => ({ header: { enabled: true, name: HEADERS[method] } });
  return oasApi(id, `/${id}/`, target, {
    orgId: ORG,
    components: { api_key: SCHEMES.api_key, basic_auth: SCHEMES.basic_auth, jwt_auth: SCHEMES.jwt_auth },
    authentication: {
      securityProcessingMode: 'compliant',
      security: requirements.map((group) => group.map((m) => SCHEME_NAME[m])),
      securitySchemes: { api_key: { enabled: true }, basic_auth: { enabled: true, ...header('basic') }, jwt_auth: { enabled: true, ...header('jwt'), signingMethod: 'hmac' } },
      ...(used.has('hmac') ? { hmac: { enabled: true, ...header('hmac'), allowedAlgorithms: ['hmac-sha256'], allowedClockSkew: 60_000 } } : {}),
      ...(used.has('custom') ? { custom: customAuth('Auth') } : {}),
    },
    middleware: GRPC_PLUGINS,
  });
}

/** The headers of one request: each method's credential, valid or not. */
const headersFor = (validity: Partial<Record<Method, boolean>>) =>
  Object.assign({}, ...Object.entries(validity).map(([m, valid]) => credentialHeaders(m as Method, valid === true))) as Record<string, string>;

const name = (methods: readonly Method[]) => methods.join('+');
const pairs = combinations(2);
const triples = combinations(3);
const legacyApis: { id: string; methods: Method[]; baseIdentity: string }[] = [];
for (const methods of [...pairs, ...triples]) {
  for (const baseIdentity of ['', ...methods.map((m) => BASE_IDENTITY[m])]) {
    legacyApis.push({ id: `and-${name(methods)}${baseIdentity === '' ? '' : `-${baseIdentity}`}`.replace(/\+/g, '-'), methods, baseIdentity });
  }
}
const compliantPairs = pairs.map((methods) => ({ id: `or-${name(methods)}`.replace(/\+/g, '-'), methods }));
const compliantTriples = triples.map((methods) => ({ id: `or3-${name(methods)}`.replace(/\+/g, '-'), methods }));

describe('auth method combinations (legacy AND, compliant OR of AND)', () => {
  let plugin: GrpcPlugin;
  let up: TestUpstream;
  let gw: GatewayProcess;

  before(async () => {
    plugin = await startGrpcPlugin({
      Auth: (o: CoprocessObject__Output) => {
        if (o.request?.headers['X-Plugin'] !== KEYS.pluginValid) return o;
        o.request = { ...o.request, set_headers: { 'X-Plugin-Seen': 'yes' } } as never;
        o.session = { rate: RATE.custom, per: 60, metadata: { token: KEYS.pluginValid } } as never;
        o.metadata = { token: KEYS.pluginValid };
        return o;
      },
    });
    up = await startUpstream();
    const apis: Record<string, unknown> = {};
    for (const api of legacyApis) apis[`${api.id}.json`] = classicApi(api.id, api.methods, api.baseIdentity, up.origin);
    for (const api of compliantPairs) apis[`${api.id}.json`] = compliantApi(api.id, api.methods.map((m) => [m]), up.origin);
    for (const api of compliantTriples) {
      const [a, b, c] = api.methods as [Method, Method, Method];
      apis[`${api.id}.json`] = compliantApi(api.id, [[a, b], [c]], up.origin);
    }
    gw = await startGatewayProcess({ config: { secret: SECRET, ...coprocessConfig(plugin.address) }, apis, readyTimeoutMs: 30_000 });
    const ids = [...legacyApis, ...compliantPairs, ...compliantTriples].map((a) => a.id);
    for (const [key, body] of Object.entries(keyBodies(ORG, ids))) {
      const res = await control(gw.url(''), 'POST', `/tyk/keys/${key}`, body);
      assert.equal(res.status, 200, `${key}: ${res.text()}`);
    }
  });
  after(async () => {
    await gw?.stop();
    await plugin?.stop();
    await up?.close();
  });

  /** Sends the request and checks the outcome: a session's rate, or a method's refusal. */
  async function expectOutcome(path: string, validity: Partial<Record<Method, boolean>>, outcome: { session: Method } | { refusedBy: Method }, label: string) {
    const res = await request(gw.url(path), { headers: headersFor(validity) });
    if ('session' in outcome) {
      assert.equal(res.status, 200, `${label}: ${res.text()}`);
      assert.equal(res.headers['x-ratelimit-limit'], String(RATE[outcome.session]), `${label}: the session should be ${outcome.session}'s`);
    } else {
      const expected = INVALID[outcome.refusedBy];
      assert.equal(res.status, expected.status, `${label}: ${res.text()}`);
      assert.equal(res.text(), tykError(expected.message), label);
    }
    return res;
  }

  describe('legacy mode: every method must pass; base_identity_provided_by picks the session', () => {
    for (const api of legacyApis) {
      it(`${name(api.methods)}${api.baseIdentity === '' ? '' : ` (base identity ${api.baseIdentity})`}`, async () => {
        const allValid = Object.fromEntries(api.methods.map((m) => [m, true]));
        const session = api.baseIdentity === '' ? last(api.methods) : (BIP_METHOD[api.baseIdentity] as Method);
        await expectOutcome(`/${api.id}/ok`, allValid, { session }, 'all valid');
        if (api.baseIdentity !== '') return;
        for (const wrong of api.methods) {
          await expectOutcome(`/${api.id}/bad`, { ...allValid, [wrong]: false }, { refusedBy: wrong }, `${wrong} invalid`);
        }
      });
    }
  });

  describe('compliant mode: [A] OR [B]', () => {
    for (const api of compliantPairs) {
      const [a, b] = api.methods as [Method, Method];
      it(name(api.methods), async () => {
        await expectOutcome(`/${api.id}/x`, { [a]: true, [b]: true }, { session: a }, 'both valid: the first requirement');
        await expectOutcome(`/${api.id}/x`, { [a]: false, [b]: true }, { session: b }, `${a} invalid`);
        await expectOutcome(`/${api.id}/x`, { [a]: true, [b]: false }, { session: a }, `${b} invalid`);
        await expectOutcome(`/${api.id}/x`, { [a]: false, [b]: false }, { refusedBy: b }, 'both invalid: the last attempted method');
      });
    }
  });

  describe('compliant mode: [A AND B] OR [C]', () => {
    for (const api of compliantTriples) {
      const [a, b, c] = api.methods as [Method, Method, Method];
      it(`[${a} ${b}] OR [${c}]`, async () => {
        const path = `/${api.id}/x`;
        await expectOutcome(path, { [a]: true, [b]: true, [c]: true }, { session: b }, 'all valid: the last method of the first group');
        await expectOutcome(path, { [a]: true, [b]: true, [c]: false }, { session: b }, `${c} invalid`);
        await expectOutcome(path, { [a]: false, [b]: true, [c]: false }, { refusedBy: c }, 'first group and last fail');
        for (const wrong of [a, b]) {
          const before = up.received.length;
          const res = await expectOutcome(path, { [a]: true, [b]: true, [c]: true, [wrong]: false }, { session: c }, `${wrong} invalid: the second alternative`);
          assert.equal(res.status, 200);
          assert.equal(up.received.length, before + 1);
          if (c !== 'custom') assert.equal(up.received.at(-1)?.headers['x-plugin-seen'], undefined, 'the failed alternative\'s request change is dropped');
        }
      });
    }

    it('counts a request against the chosen session only, never the failed alternative\'s', async () => {
      const api = compliantTriples.find((t) => t.methods.join() === 'basic,jwt,token');
      assert.ok(api);
      const remaining = async (validity: Partial<Record<Method, boolean>>) => Number((await request(gw.url(`/${api.id}/c`), { headers: headersFor(validity) })).headers['x-ratelimit-remaining']);
      const first = await remaining({ basic: true, jwt: true, token: true });
      await remaining({ basic: true, jwt: false, token: true });
      const third = await remaining({ basic: true, jwt: true, token: true });
      assert.equal(first - third, 1, 'the JWT session was hit twice, not three times: the request that failed at JWT counted against the token key');
    });
  });
});

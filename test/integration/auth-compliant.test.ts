import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CoprocessObject__Output } from '../../coprocess/protocol/index.js';
import { coprocessConfig } from '../helpers/apis.js';
import { control, keySession, SECRET } from '../helpers/control.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin, type GrpcPlugin } from '../helpers/grpc-plugin.js';
import { request, tykError } from '../helpers/http.js';
import { customAuth, GRPC_PLUGINS, oasApi, SCHEMES } from '../helpers/oas.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const ORG = 'org1';
const FAR = Math.floor(Date.now() / 1000) + 86_400;

/**
 * Custom plugin auth OR the auth token, as a Tyk OAS API in compliant mode (seed 002): the
 * plugin's alternative first, the key's second.
 */
const compliant = (id: string, target: string, custom = customAuth('Auth'), extra: Record<string, unknown> = {}) =>
  oasApi(id, `/${id}/`, target, {
    orgId: ORG,
    components: { api_key: SCHEMES.api_key, api_key_query: SCHEMES.api_key_query },
    authentication: { securityProcessingMode: 'compliant', security: [['custom'], ['api_key'], ['api_key_query']], custom, securitySchemes: { api_key: { enabled: true }, api_key_query: { enabled: true } }, ...extra },
    middleware: GRPC_PLUGINS,
  });

describe('compliant mode (OR of AND) on a running gateway', () => {
  let plugin: GrpcPlugin;
  let up: TestUpstream;
  let gw: GatewayProcess;
  let key: string;

  before(async () => {
    plugin = await startGrpcPlugin({
      Auth: (o: CoprocessObject__Output) => {
        const credential = o.request?.headers['Authorization'] ?? '';
        if (credential === 'touch-then-fail') {
          // Changes the request, then refuses: the change must not survive into the next alternative.
          o.request = { ...o.request, set_headers: { 'X-Touched': 'yes' }, return_overrides: { response_code: 403, response_error: 'plugin says no', headers: { 'X-Plugin-Refusal': '1' } } } as never;
          return o;
        }
        if (!credential.startsWith('plug-')) return o;
        o.request = { ...o.request, set_headers: { 'X-Plugin-User': credential } } as never;
        o.session = { rate: 2, per: 60, expires: FAR, id_extractor_deadline: FAR, metadata: { token: credential } } as never;
        o.metadata = { token: credential };
        return o;
      },
    });
    up = await startUpstream();
    gw = await startGatewayProcess({
      config: { secret: SECRET, log_level: 'debug', ...coprocessConfig(plugin.address) },
      apis: {
        'or.json': compliant('or', up.origin),
        'cached.json': compliant('cached', up.origin, customAuth('Auth', { idExtractor: { enabled: true, source: 'header', with: 'value', config: { headerName: 'Authorization' } } })),
        'legacy.json': oasApi('legacy', '/legacy/', up.origin, {
          orgId: ORG,
          components: { api_key: SCHEMES.api_key },
          security: [{ api_key: [] }],
          authentication: { custom: customAuth('Auth'), baseIdentityProvider: 'custom_auth', securitySchemes: { api_key: { enabled: true } } },
          middleware: GRPC_PLUGINS,
        }),
      },
    });
    const created = await control(gw.url(''), 'POST', '/tyk/keys/key-one', {
      ...keySession('or', ORG, { rate: 5, per: 60 }),
      access_rights: Object.fromEntries(['or', 'cached', 'legacy'].map((api) => [api, { api_id: api, api_name: api, versions: ['Default'] }])),
    });
    assert.equal(created.status, 200, created.text());
    key = 'key-one';
  });
  after(async () => {
    await gw?.stop();
    await plugin?.stop();
    await up?.close();
  });
  const authCalls = () => plugin.received.filter((o) => o.hook_name === 'Auth').length;
  const lastUpstream = () => up.received.at(-1);

  it('lets the second alternative through when the first fails, with the second\'s session (its rate limit)', async () => {
    const res = await request(gw.url('/or/a'), { headers: { 'x-api-key': key } });
    assert.equal(res.status, 200, res.text());
    assert.equal(res.headers['x-ratelimit-limit'], '5', 'the key\'s rate limit, not the plugin\'s');
  });

  it('takes the session from the first alternative that passes', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const res = await request(gw.url('/or/p'), { headers: { authorization: 'plug-first', 'x-api-key': key } });
      statuses.push(res.status);
      if (i === 0) assert.equal(res.headers['x-ratelimit-limit'], '2');
    }
    assert.deepEqual(statuses, [200, 200, 429], 'the plugin session\'s rate 2 per 60 s, although the key would allow 5');
    assert.equal(lastUpstream()?.headers['x-plugin-user'], 'plug-first');
  });

  it('answers with the last attempted method\'s error when every alternative fails', async () => {
    const none = await request(gw.url('/or/n'));
    assert.equal(none.status, 401);
    assert.equal(none.text(), tykError('Authorization field missing'));
    const wrong = await request(gw.url('/or/n?api_key=nope'), { headers: { authorization: 'unknown', 'x-api-key': 'nope' } });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.text(), tykError('Access to this API has been disallowed'));
  });

  it('leaves no trace of a failed alternative: request changes and response headers are dropped', async () => {
    const upstreamBefore = up.received.length;
    const res = await request(gw.url('/or/t'), { headers: { authorization: 'touch-then-fail', 'x-api-key': key } });
    assert.equal(res.status, 200, res.text());
    assert.equal(res.headers['x-plugin-refusal'], undefined);
    assert.equal(up.received.length, upstreamBefore + 1);
    assert.equal(lastUpstream()?.headers['x-touched'], undefined);
    // Alone, the same plugin answer is what the client sees (the last attempted method is the query key).
    const alone = await request(gw.url('/or/t'), { headers: { authorization: 'touch-then-fail' } });
    assert.equal(alone.status, 401);
  });

  it('reads each apiKey scheme at its own location (Tyk has one token config per API)', async () => {
    const byQuery = await request(gw.url(`/or/q?api_key=${key}`));
    assert.equal(byQuery.status, 200, byQuery.text());
    const byHeader = await request(gw.url('/or/q'), { headers: { 'x-api-key': key } });
    assert.equal(byHeader.status, 200);
  });

  it('keeps the ID extractor cache working when custom auth is one alternative among several', async () => {
    const before = authCalls();
    for (let i = 0; i < 3; i++) {
      const res = await request(gw.url('/cached/c'), { headers: { authorization: 'plug-cached' } });
      assert.equal(res.status, i < 2 ? 200 : 429, res.text());
    }
    assert.equal(authCalls() - before, 1, 'the plugin is asked once; the cached session answers after that');
    // Without the extracted header, the extractor fails that alternative and the key's passes.
    const byKey = await request(gw.url('/cached/k'), { headers: { 'x-api-key': key } });
    assert.equal(byKey.status, 200);
  });

  it('logs what the seed\'s troubleshooting section tells users to look for', async () => {
    await request(gw.url('/or/log'), { headers: { 'x-api-key': key } });
    const messages = () => gw.logs.map((l) => l.msg);
    await gw.waitForLog((l) => l.msg === 'OR wrapper: security requirement group 2 succeeded');
    assert.ok(messages().includes('Processing multiple security requirements (OR conditions)'));
    assert.ok(messages().includes('OR wrapper: trying security requirement group 1/3: [custom]'));
    assert.ok(messages().some((m) => m.startsWith('OR wrapper: auth method custom failed with error: Forbidden (code: 403)')));
    assert.ok(messages().includes('OR wrapper: auth method api_key succeeded'));
    assert.ok(!gw.logs.some((l) => JSON.stringify(l).includes(key)), 'the key itself is never logged');
  });

  it('legacy mode on an OAS API: both methods must pass; baseIdentityProvider picks the session', async () => {
    const onlyKey = await request(gw.url('/legacy/x'), { headers: { 'x-api-key': key } });
    assert.equal(onlyKey.status, 403, 'the plugin\'s method must pass too');
    const onlyPlugin = await request(gw.url('/legacy/x'), { headers: { authorization: 'plug-legacy' } });
    assert.equal(onlyPlugin.status, 401);
    const both = await request(gw.url('/legacy/x'), { headers: { authorization: 'plug-legacy', 'x-api-key': key } });
    assert.equal(both.status, 200, both.text());
    assert.equal(both.headers['x-ratelimit-limit'], '2', 'custom_auth supplies the session although the token runs last');
    await gw.waitForLog((l) => l.msg.startsWith('BaseIdentityProvider set to custom_auth'));
  });
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CoprocessObject__Output } from '../../coprocess/protocol/index.js';
import { coprocessConfig, pluginApi } from '../helpers/apis.js';
import { control, SECRET } from '../helpers/control.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin, type GrpcPlugin } from '../helpers/grpc-plugin.js';
import { request, tykError } from '../helpers/http.js';
import { startUpstream, type ReceivedRequest, type TestUpstream } from '../helpers/upstream.js';

const ORG = 'org1';
const DEADLINE_S = 2;

describe('the ID extractor caches plugin auth (protocol.md 5)', () => {
  let plugin: GrpcPlugin;
  let up: TestUpstream;
  let gw: GatewayProcess;
  const calls = (hook: string) => plugin.received.filter((o) => o.hook_name === hook).length;

  before(async () => {
    const approve = (credential: string | undefined) => (o: CoprocessObject__Output) => {
      if (credential === undefined || credential.startsWith('good')) {
        o.session = { rate: 100, per: 1, id_extractor_deadline: Math.floor(Date.now() / 1000) + DEADLINE_S } as never;
        o.metadata = { token: `tok-${credential ?? 'form'}` };
      }
      return o;
    };
    plugin = await startGrpcPlugin({
      HeaderAuth: (o) => approve(o.request?.headers['X-Credential'])(o),
      FormAuth: (o) => approve(undefined)(o),
    });
    up = await startUpstream();
    gw = await startGatewayProcess({
      config: { secret: SECRET, ...coprocessConfig(plugin.address) },
      apis: {
        'h.json': pluginApi('hdr', '/hdr/', up.origin, {
          auth_check: { name: 'HeaderAuth' },
          id_extractor: { extract_from: 'header', extract_with: 'value', extractor_config: { header_name: 'X-Credential' } },
        }, { org_id: ORG }),
        'f.json': pluginApi('form', '/form/', up.origin, {
          auth_check: { name: 'FormAuth' },
          id_extractor: { extract_from: 'form', extract_with: 'regex', extractor_config: { param_name: 'user', regex_expression: 'id-[0-9]+', regex_match_index: 0 } },
        }, { org_id: ORG }),
      },
    });
  });
  after(async () => {
    await gw.stop();
    await plugin.stop();
    await up.close();
  });

  it('the second request with the same credential does not call the plugin, until the deadline passes', async () => {
    const before = calls('HeaderAuth');
    assert.equal((await request(gw.url('/hdr/x'), { headers: { 'x-credential': 'good-alice' } })).status, 200);
    assert.equal(calls('HeaderAuth'), before + 1);
    for (let i = 0; i < 3; i++) assert.equal((await request(gw.url('/hdr/x'), { headers: { 'x-credential': 'good-alice' } })).status, 200);
    assert.equal(calls('HeaderAuth'), before + 1, 'cache hits do not call the plugin');
    assert.equal((await request(gw.url('/hdr/x'), { headers: { 'x-credential': 'good-bob' } })).status, 200);
    assert.equal(calls('HeaderAuth'), before + 2, 'another credential is another identity');
    await sleep(DEADLINE_S * 1000 + 1100);
    assert.equal((await request(gw.url('/hdr/x'), { headers: { 'x-credential': 'good-alice' } })).status, 200);
    assert.equal(calls('HeaderAuth'), before + 3, 'after the deadline the plugin is asked again');
  });

  it('stores the session under the extractor\'s ID: org + md5 of the credential', async () => {
    await request(gw.url('/hdr/x'), { headers: { 'x-credential': 'good-carol' } });
    const id = `${ORG}${createHash('md5').update('good-carol').digest('hex')}`;
    const stored = await control(gw.url(''), 'GET', `/tyk/keys/${id}?org_id=${ORG}`);
    assert.equal(stored.status, 200, stored.text());
    assert.equal((stored.json() as { meta_data: Record<string, string> }).meta_data['token'], 'tok-good-carol');
  });

  it('a request without the credential is 400 "Authorization field missing", and the plugin is not called', async () => {
    const before = calls('HeaderAuth');
    const res = await request(gw.url('/hdr/x'));
    assert.equal(res.status, 400);
    assert.equal(res.text(), tykError('Authorization field missing'));
    assert.equal(calls('HeaderAuth'), before);
  });

  it('a refused credential is not cached: the plugin decides every time', async () => {
    const before = calls('HeaderAuth');
    assert.equal((await request(gw.url('/hdr/x'), { headers: { 'x-credential': 'bad-mallory' } })).status, 403);
    assert.equal((await request(gw.url('/hdr/x'), { headers: { 'x-credential': 'bad-mallory' } })).status, 403);
    assert.equal(calls('HeaderAuth'), before + 2);
  });

  it('form + regex: extracts from the body, and the body stays whole for the plugin and the upstream (Tyk drains it)', async () => {
    const body = 'user=xx-id-4711-yy&other=1';
    const res = await request(gw.url('/form/x?m=form'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    assert.equal(res.status, 200);
    const seenByPlugin = [...plugin.received].reverse().find((o) => o.hook_name === 'FormAuth');
    assert.equal(seenByPlugin?.request?.body, body);
    const upstreamSaw = res.json() as ReceivedRequest;
    assert.equal(upstreamSaw.bodyBytes, body.length);
    const before = calls('FormAuth');
    assert.equal((await request(gw.url('/form/x'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'user=zz-id-4711' })).status, 200);
    assert.equal(calls('FormAuth'), before, 'the same extracted ID (id-4711) hits the cache');
    const missing = await request(gw.url('/form/x'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'user=nothing-here' });
    assert.equal(missing.status, 400);
  });
});

describe('ID extractor settings are checked at load', () => {
  it('refuses a regex Go would reject, and an extractor Tyk would silently ignore', async () => {
    const { loadApiDocuments, apiLoadContextOf, loadConfigDocument } = await import('../../gateway/index.js');
    const config = loadConfigDocument(coprocessConfig('127.0.0.1:1')).config;
    assert.ok(config);
    const api = (extractor: Record<string, unknown>) => pluginApi('e', '/e/', 'http://up', { auth_check: { name: 'A' }, id_extractor: extractor });
    const errors = (extractor: Record<string, unknown>) =>
      loadApiDocuments([{ file: 'e.json', document: api(extractor) }], apiLoadContextOf(config)).refused.flatMap((r) => r.errors.map((e) => e.message)).join('\n');
    assert.match(errors({ extract_from: 'header', extract_with: 'regex', extractor_config: { header_name: 'X', regex_expression: '(a)\\1' } }), /custom_middleware\.id_extractor/);
    assert.match(errors({ extract_from: 'body', extract_with: 'value', extractor_config: {} }), /custom_middleware\.id_extractor/);
    assert.equal(errors({ extract_from: 'header', extract_with: 'value', extractor_config: { header_name: 'X-Key' } }), '');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { coprocessConfig, pluginApi } from '../helpers/apis.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin, type GrpcPlugin } from '../helpers/grpc-plugin.js';
import { request } from '../helpers/http.js';
import { startUpstream, type ReceivedRequest, type TestUpstream } from '../helpers/upstream.js';

describe('request hooks: what the plugin receives and what it may change', () => {
  let plugin: GrpcPlugin;
  let up: TestUpstream;
  let gw: GatewayProcess;
  const lastObject = (hook: string) => [...plugin.received].reverse().find((o) => o.hook_name === hook);
  const upstreamSaw = (marker: string) => up.received.find((r) => r.url.includes(marker));

  before(async () => {
    plugin = await startGrpcPlugin();
    up = await startUpstream();
    gw = await startGatewayProcess({
      config: coprocessConfig(`tcp://${plugin.address}`),
      apis: {
        'pre.json': pluginApi('pre-api', '/pre/', up.origin, { pre: [{ name: 'Inspect' }, { name: 'Second' }] }, { org_id: 'org1', config_data: { upstream: { key: 'v<&>' }, n: 2 } }),
        'raw.json': pluginApi('raw-api', '/raw/', up.origin, { pre: [{ name: 'RawOnly', raw_body_only: true }] }, { config_data: { a: 1 }, config_data_disabled: true }),
        'change.json': pluginApi('change-api', '/change/', up.origin, { pre: [{ name: 'Change' }] }),
        'order.json': pluginApi('order-api', '/order/', up.origin, { pre: [{ name: 'P1' }], auth_check: { name: 'A' }, post_key_auth: [{ name: 'K1' }], post: [{ name: 'Q1' }], response: [{ name: 'R1' }] }),
      },
    });
  });
  after(async () => {
    await gw.stop();
    await plugin.stop();
    await up.close();
  });

  it('sends the Object as Tyk builds it (protocol.md 2.3)', async () => {
    const res = await request(gw.url('/pre/users/1?b=2&a=1&a=9&sp=x%20y'), {
      method: 'POST',
      headers: { 'x-dup': ['first', 'second'], 'content-type': 'application/json', 'x-lower-case': 'v', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      body: '{"hello":"wörld"}',
    });
    assert.equal(res.status, 200);
    const object = lastObject('Inspect');
    assert.ok(object);
    assert.equal(object.hook_type, 'Pre');
    const r = object.request;
    assert.ok(r);
    assert.equal(r.headers['X-Dup'], 'first');
    assert.equal(r.headers['X-Lower-Case'], 'v');
    assert.equal(r.headers['Content-Type'], 'application/json');
    assert.equal(r.headers['Host'], `127.0.0.1:${gw.port}`);
    assert.equal(r.url, '/pre/users/1?b=2&a=1&a=9&sp=x%20y');
    assert.equal(r.request_uri, '/pre/users/1?b=2&a=1&a=9&sp=x%20y');
    assert.deepEqual(r.params, { b: '2', a: '1', sp: 'x y' });
    assert.equal(r.method, 'POST');
    assert.equal(r.scheme, 'http');
    assert.equal(r.body, '{"hello":"wörld"}');
    assert.equal(Buffer.from(r.raw_body).toString('utf8'), '{"hello":"wörld"}');
    assert.equal(r.return_overrides?.response_code, -1);
    assert.deepEqual(r.set_headers, {});
    assert.deepEqual(r.delete_headers, []);
    assert.deepEqual(object.spec, {
      OrgID: 'org1',
      APIID: 'pre-api',
      bundle_hash: 'd41d8cd98f00b204e9800998ecf8427e',
      config_data: '{"n":2,"upstream":{"key":"v\\u003c\\u0026\\u003e"}}',
    });
    assert.equal(object.session, null);
    assert.deepEqual(object.metadata, {});
    assert.equal(object.response, null);
    const call = plugin.calls[plugin.received.indexOf(object)];
    assert.equal(call?.metadata['traceparent'], '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    assert.ok(call?.deadline !== undefined && call.deadline > Date.now() - 60_000, 'the call carries a gRPC deadline');
  });

  it('leaves body empty with raw_body_only, and sends no config_data when config_data_disabled', async () => {
    await request(gw.url('/raw/x'), { method: 'PUT', body: 'text body' });
    const object = lastObject('RawOnly');
    assert.equal(object?.request?.body, '');
    assert.equal(Buffer.from(object?.request?.raw_body ?? []).toString(), 'text body');
    assert.equal(object?.spec['config_data'], undefined);
  });

  it('does not put a non-UTF-8 body into body', async () => {
    await request(gw.url('/pre/bin'), { method: 'POST', body: Buffer.from([0xff, 0xfe, 0x00, 0x41]) });
    const object = lastObject('Inspect');
    assert.equal(object?.request?.body, '');
    assert.deepEqual([...(object?.request?.raw_body ?? [])], [0xff, 0xfe, 0x00, 0x41]);
  });

  it('applies header set/delete, param add/delete, body, URL and method changes, in Tyk\'s order', async () => {
    plugin.handle('Change', (o) => {
      const r = o.request;
      if (r === null) return o;
      r.set_headers = { 'x-added': 'yes', 'X-Replaced': 'new' };
      r.delete_headers = ['X-Remove-Me'];
      r.add_params = { added: 'a b', keep: 'overwritten' };
      r.delete_params = ['drop'];
      r.raw_body = Buffer.from('replaced body');
      r.url = '/change/rewritten/path?drop=1&keep=1&m=changes';
      r.method = 'PUT';
      return o;
    });
    const res = await request(gw.url('/change/original?drop=1&keep=1&m=changes'), {
      method: 'POST',
      headers: { 'x-remove-me': 'gone', 'x-replaced': 'old' },
      body: 'original body',
    });
    assert.equal(res.status, 200);
    const seen = upstreamSaw('m=changes');
    assert.ok(seen);
    assert.equal(seen.method, 'PUT');
    assert.equal(seen.url, '/rewritten/path?added=a+b&keep=overwritten&m=changes');
    assert.equal(seen.headers['x-added'], 'yes');
    assert.equal(seen.headers['x-replaced'], 'new');
    assert.equal(seen.headers['x-remove-me'], undefined);
    assert.equal(seen.bodyBytes, Buffer.byteLength('replaced body'));
    assert.equal(seen.headers['content-length'], String(Buffer.byteLength('replaced body')));
  });

  it('keeps the body and the query byte for byte when the plugin echoes the Object', async () => {
    plugin.handle('Change', (o) => o);
    await request(gw.url('/change/echo?z=1&a=%7E&m=echo'), { method: 'POST', body: 'unchanged' });
    const seen = upstreamSaw('m=echo');
    assert.equal(seen?.url, '/echo?z=1&a=%7E&m=echo');
    assert.equal(seen?.bodyBytes, Buffer.byteLength('unchanged'));
  });

  it('keeps a query the plugin wrote into url (where Tyk would discard it)', async () => {
    plugin.handle('Change', (o) => {
      if (o.request !== null) o.request.url = '/change/q?from=url&m=urlquery';
      return o;
    });
    await request(gw.url('/change/q?m=urlquery-orig'));
    assert.equal(upstreamSaw('m=urlquery')?.url, '/q?from=url&m=urlquery');
  });

  it('answers 500 "Middleware error" when the plugin returns an invalid url', async () => {
    plugin.handle('Change', (o) => {
      if (o.request !== null) o.request.url = 'not a valid request uri';
      return o;
    });
    const before = up.received.length;
    const res = await request(gw.url('/change/x'));
    assert.equal(res.status, 500);
    assert.equal(res.text(), '{\n    "error": "Middleware error"\n}');
    assert.equal(up.received.length, before);
  });

  it('treats a reply without a request as "no change" (Tyk would crash)', async () => {
    plugin.handle('Change', (o) => ({ hook_name: o.hook_name }));
    const res = await request(gw.url('/change/norequest?m=norequest'));
    assert.equal(res.status, 200);
    assert.equal(upstreamSaw('m=norequest')?.url, '/norequest?m=norequest');
  });

  it('chains the next hook on the changed request', async () => {
    plugin.handle('Inspect', (o) => {
      if (o.request !== null) o.request.set_headers = { 'X-From-First': '1' };
      return o;
    });
    await request(gw.url('/pre/chain'));
    assert.equal(lastObject('Second')?.request?.headers['X-From-First'], '1');
    plugin.handle('Inspect', (o) => o);
  });

  it('runs the hooks in Tyk\'s chain order: pre, auth_check, post_key_auth, post, response', async () => {
    plugin.handle('A', (o) => {
      if (o.session === null) o.session = {} as never;
      o.metadata = { token: 'order-token' };
      return o;
    });
    const before = plugin.received.length;
    const res = await request(gw.url('/order/x'));
    assert.equal(res.status, 200);
    assert.deepEqual(plugin.received.slice(before).map((o) => `${o.hook_type}:${o.hook_name}`), ['Pre:P1', 'CustomKeyCheck:A', 'PostKeyAuth:K1', 'Post:Q1', 'Response:R1']);
    const body = res.json() as ReceivedRequest;
    assert.equal(body.method, 'GET');
  });
});

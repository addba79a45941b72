import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { coprocessConfig, pluginApi } from '../helpers/apis.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin, type GrpcPlugin } from '../helpers/grpc-plugin.js';
import { request, tykError } from '../helpers/http.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

describe('response hooks (protocol.md 2.11)', () => {
  let plugin: GrpcPlugin;
  let up: TestUpstream;
  let gw: GatewayProcess;
  const last = (hook: string) => [...plugin.received].reverse().find((o) => o.hook_name === hook);

  before(async () => {
    plugin = await startGrpcPlugin();
    up = await startUpstream((req, res) => {
      res.writeHead(201, { 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2', 'c=3'], 'x-upstream': 'one', 'x-multi': ['m1', 'm2'], connection: 'keep-alive' });
      res.end(`upstream body for ${req.url}`);
    });
    gw = await startGatewayProcess({
      config: coprocessConfig(plugin.address),
      apis: {
        'r.json': pluginApi('r', '/r/', up.origin, { response: [{ name: 'Rewrite' }, { name: 'SeeRewrite' }] }),
        'raw.json': pluginApi('raw', '/raw/', up.origin, { response: [{ name: 'RawOnly', raw_body_only: true }] }),
      },
    });
  });
  after(async () => {
    await gw.stop();
    await plugin.stop();
    await up.close();
  });

  it('sends the upstream response: status, first values, every value of every header, body', async () => {
    plugin.handle('Rewrite', (o) => o);
    const res = await request(gw.url('/r/inspect?q=1'));
    assert.equal(res.status, 201);
    const object = last('Rewrite');
    assert.equal(object?.hook_type, 'Response');
    const response = object?.response;
    assert.ok(response);
    assert.equal(response.status_code, 201);
    assert.equal(response.headers['Set-Cookie'], 'a=1');
    assert.equal(response.headers['X-Upstream'], 'one');
    assert.equal(response.headers['Connection'], undefined, 'hop-by-hop headers are not part of the response');
    assert.deepEqual(response.multivalue_headers.find((h) => h.key === 'Set-Cookie')?.values, ['a=1', 'b=2', 'c=3']);
    assert.equal(response.body, 'upstream body for /inspect?q=1');
    assert.equal(Buffer.from(response.raw_body).toString(), 'upstream body for /inspect?q=1');
    assert.ok(object?.session !== null, 'response hooks always get a session, empty when there is none');
    assert.equal(object?.request?.url, '/r/inspect?q=1');
  });

  it('an echoed response reaches the client unchanged, with every Set-Cookie', async () => {
    plugin.handle('Rewrite', (o) => o);
    const res = await request(gw.url('/r/echo'));
    assert.equal(res.status, 201);
    assert.equal(res.text(), 'upstream body for /echo');
    assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2', 'c=3']);
    assert.equal(res.headers['x-multi'], 'm1, m2');
    assert.equal(res.headers['content-length'], String(Buffer.byteLength('upstream body for /echo')));
  });

  it('applies a rewritten body (raw_body), status and headers; the next hook sees the rewrite', async () => {
    plugin.handle('Rewrite', (o) => {
      const r = o.response;
      if (r === null) return o;
      r.raw_body = Buffer.from('rewritten ✓');
      r.status_code = 202;
      r.headers['X-Upstream'] = 'changed';
      r.headers['X-New'] = 'added';
      delete r.headers['Content-Type'];
      return o;
    });
    const res = await request(gw.url('/r/rewrite'));
    assert.equal(res.status, 202);
    assert.equal(res.text(), 'rewritten ✓');
    assert.equal(res.headers['content-length'], String(Buffer.byteLength('rewritten ✓')));
    assert.equal(res.headers['x-upstream'], 'changed');
    assert.equal(res.headers['x-new'], 'added');
    assert.equal(res.headers['content-type'], undefined, 'a header dropped from headers is dropped');
    assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2', 'c=3'], 'extra values of a kept header stay');
    assert.equal(last('SeeRewrite')?.response?.status_code, 202);
    assert.equal(last('SeeRewrite')?.response?.body, 'rewritten ✓');
  });

  it('ignores body (text) on the way back: raw_body decides, as in Tyk', async () => {
    plugin.handle('Rewrite', (o) => {
      if (o.response !== null) o.response.body = 'text changes are ignored';
      return o;
    });
    assert.equal((await request(gw.url('/r/textbody'))).text(), 'upstream body for /textbody');
  });

  it('sends no text body with raw_body_only', async () => {
    await request(gw.url('/raw/x'));
    assert.equal(last('RawOnly')?.response?.body, '');
    assert.equal(Buffer.from(last('RawOnly')?.response?.raw_body ?? []).toString(), 'upstream body for /x');
  });

  it('answers 500 "Middleware error" when the reply has no response, a bad status, or the call fails', async () => {
    plugin.handle('Rewrite', (o) => ({ hook_name: o.hook_name }));
    let res = await request(gw.url('/r/none'));
    assert.equal(res.status, 500);
    assert.equal(res.text(), tykError('Middleware error'));
    plugin.handle('Rewrite', (o) => {
      if (o.response !== null) o.response.status_code = 0;
      return o;
    });
    assert.equal((await request(gw.url('/r/zero'))).status, 500);
    plugin.handle('Rewrite', () => {
      throw new Error('boom');
    });
    res = await request(gw.url('/r/throw'));
    assert.equal(res.status, 500);
    assert.equal(res.text(), tykError('Middleware error'));
  });
});

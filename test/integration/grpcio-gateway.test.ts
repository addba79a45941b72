import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { coprocessConfig, pluginApi } from '../helpers/apis.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { GRPCIO_SECRET_TOKEN, hasGrpcio, requireGrpcio, startGrpcioPlugin, type GrpcioPlugin } from '../helpers/grpcio-plugin.js';
import { request, tykError } from '../helpers/http.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

/**
 * The gateway against an independent implementation of the plugin side (Python, grpcio, stubs
 * generated from proto/ by protoc): the wire format, not just agreement with ourselves.
 */
describe('the gateway with a Python grpcio plugin server', () => {
  let plugin: GrpcioPlugin | undefined;
  let up: TestUpstream;
  let gw: GatewayProcess;

  before(async () => {
    if (!hasGrpcio()) return;
    plugin = await startGrpcioPlugin();
    up = await startUpstream();
    gw = await startGatewayProcess({
      config: coprocessConfig(plugin.address),
      apis: {
        'auth.json': pluginApi('grpcio-auth', '/auth/', up.origin, { auth_check: { name: 'GrpcioAuth' }, pre: [{ name: 'GrpcioPre' }] }),
        'deny.json': pluginApi('grpcio-deny', '/deny/', up.origin, { pre: [{ name: 'GrpcioDeny' }] }),
        'resp.json': pluginApi('grpcio-resp', '/resp/', up.origin, { response: [{ name: 'GrpcioResponse' }] }),
      },
    });
  });
  // Each step guarded: a gateway that failed to start must not leave the plugin and upstream
  // running, which would keep this file (and the whole run) from ever finishing.
  after(async () => {
    if (plugin === undefined) return;
    await gw?.stop();
    await plugin.stop();
    await up?.close();
  });

  it('auth hook and pre hook: the right token passes with the pre hook\'s changes applied', async (t) => {
    if (!requireGrpcio(t)) return;
    const res = await request(gw.url('/auth/x?m=grpcio-ok'), { headers: { authorization: GRPCIO_SECRET_TOKEN, 'x-remove-me': 'bye' } });
    assert.equal(res.status, 200);
    const seen = up.received.find((r) => r.url.includes('m=grpcio-ok'));
    assert.ok(seen);
    assert.equal(seen.headers['x-grpcio-pre'], 'yes');
    assert.equal(seen.headers['x-remove-me'], undefined);
    assert.match(seen.url, /from_grpcio=1/);
  });

  it('auth hook: a wrong or missing token is refused with 403 Forbidden', async (t) => {
    if (!requireGrpcio(t)) return;
    const before = up.received.length;
    const wrong = await request(gw.url('/auth/x'), { headers: { authorization: 'nope' } });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.text(), tykError('Forbidden'));
    assert.equal((await request(gw.url('/auth/x'))).status, 403);
    assert.equal(up.received.length, before);
  });

  it('return_overrides set by grpcio: 418 in Tyk\'s template with the plugin\'s header', async (t) => {
    if (!requireGrpcio(t)) return;
    const res = await request(gw.url('/deny/x'));
    assert.equal(res.status, 418);
    assert.equal(res.text(), tykError('denied by grpcio'));
    assert.equal(res.headers['x-grpcio'], 'denied');
  });

  it('a response hook in grpcio rewrites the body and adds a header', async (t) => {
    if (!requireGrpcio(t)) return;
    const res = await request(gw.url('/resp/x'));
    assert.equal(res.status, 200);
    assert.equal(res.text(), 'rewritten by grpcio');
    assert.equal(res.headers['x-grpcio-response'], 'yes');
  });
});

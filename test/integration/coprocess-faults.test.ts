import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { coprocessConfig, pluginApi } from '../helpers/apis.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin, type GrpcPlugin } from '../helpers/grpc-plugin.js';
import { request, tykError } from '../helpers/http.js';
import { patternStream, startUpstream, type ReceivedRequest, type TestUpstream } from '../helpers/upstream.js';
import { setTimeout as sleep } from 'node:timers/promises';

const TEN_MB = 10 * 1024 * 1024;

describe('plugin faults fail closed, and bodies have limits', () => {
  let plugin: GrpcPlugin;
  let up: TestUpstream;
  let gw: GatewayProcess;
  before(async () => {
    // A plugin that accepts big messages, as the 10 MB case needs.
    plugin = await startGrpcPlugin({}, { 'grpc.max_receive_message_length': 64 * 1024 * 1024, 'grpc.max_send_message_length': 64 * 1024 * 1024 });
    up = await startUpstream();
    gw = await startGatewayProcess({
      config: coprocessConfig(plugin.address, { dispatch_timeout_ms: 300, grpc_send_max_size: 32 * 1024 * 1024, grpc_recv_max_size: 32 * 1024 * 1024 }),
      apis: {
        'slow.json': pluginApi('slow', '/slow/', up.origin, { pre: [{ name: 'Sleep' }] }),
        'slowauth.json': pluginApi('slowauth', '/slowauth/', up.origin, { auth_check: { name: 'SleepAuth' } }),
        'open.json': pluginApi('open', '/open/', up.origin, { pre: [{ name: 'Broken' }, { name: 'Fine' }] }, { hookgate: { hooks: { Broken: { fail_open: true } } } }),
        'closed.json': pluginApi('closed', '/closed/', up.origin, { pre: [{ name: 'Broken' }] }),
        // A per-API deadline: moving 10 MB through the plugin takes longer than the suite's 300 ms.
        'big.json': pluginApi('big', '/big/', up.origin, { pre: [{ name: 'Hash' }] }, { hookgate: { dispatch_timeout_ms: 20_000 } }),
        'deadline.json': pluginApi('deadline', '/deadline/', up.origin, { pre: [{ name: 'Sleep' }] }, { hookgate: { hooks: { Sleep: { dispatch_timeout_ms: 1500 } } } }),
      },
    });
  });
  after(async () => {
    await gw.stop();
    await plugin.stop();
    await up.close();
  });

  it('a plugin that sleeps past the deadline: the request fails closed within the deadline plus a margin', async () => {
    plugin.handle('Sleep', async (o) => {
      await sleep(2000);
      return o;
    });
    const before = up.received.length;
    const started = Date.now();
    const res = await request(gw.url('/slow/x'));
    const elapsed = Date.now() - started;
    assert.equal(res.status, 500);
    assert.equal(res.text(), tykError('Middleware error'));
    assert.ok(elapsed >= 250 && elapsed < 1500, `answered after ${elapsed} ms with a 300 ms deadline (the plugin sleeps 2000 ms)`);
    assert.equal(up.received.length, before, 'nothing reached the upstream');
    // The server dates the deadline from when it received the call (grpc-timeout header), so it
    // lies 300 ms after the dispatch: never before, and not much later even on a loaded machine.
    const deadline = plugin.calls[plugin.calls.length - 1]?.deadline;
    assert.ok(deadline !== undefined, 'the plugin got a gRPC deadline');
    assert.ok(deadline - started >= 250 && deadline - started < 1300, `the plugin's deadline was ${deadline - started} ms after the request started`);
  });

  it('the same on the auth hook gives 403, and a per-hook deadline overrides the global one', async () => {
    plugin.handle('SleepAuth', async (o) => {
      await sleep(2000);
      return o;
    });
    const auth = await request(gw.url('/slowauth/x'), { headers: { authorization: 'k' } });
    assert.equal(auth.status, 403);
    assert.equal(auth.text(), tykError('Key not authorised'));
    plugin.handle('Sleep', async (o) => {
      await sleep(700);
      return o;
    });
    assert.equal((await request(gw.url('/deadline/x'))).status, 200, 'a 1500 ms hook deadline lets a 700 ms hook finish');
  });

  it('stays healthy after deadline failures: the next request on the same API succeeds', async () => {
    plugin.handle('Sleep', (o) => o);
    assert.equal((await request(gw.url('/slow/after'))).status, 200);
    assert.equal((await request(gw.url('/hello'))).status, 200);
  });

  it('a failing non-auth hook is 500, unless it is fail_open, which lets the request through and is counted', async () => {
    plugin.handle('Broken', () => {
      throw new Error('broken plugin');
    });
    const closed = await request(gw.url('/closed/x'));
    assert.equal(closed.status, 500);
    const open = await request(gw.url('/open/x?m=open'));
    assert.equal(open.status, 200);
    assert.ok(up.received.some((r) => r.url.includes('m=open')));
    assert.ok(plugin.received.some((o) => o.hook_name === 'Fine'), 'the chain continued after the fail_open hook');
    await gw.waitForLog((l) => l.msg === 'hook failed; continuing because it is fail_open' && l['hook'] === 'Broken');
  });

  it('a 10 MB body reaches the plugin and the upstream intact', async () => {
    const body = randomBytes(TEN_MB);
    const sha = createHash('sha256').update(body).digest('hex');
    let pluginSha = '';
    plugin.handle('Hash', (o) => {
      pluginSha = createHash('sha256').update(o.request?.raw_body ?? Buffer.alloc(0)).digest('hex');
      return o;
    });
    const res = await request(gw.url('/big/upload'), { method: 'POST', body, timeoutMs: 60_000 });
    assert.equal(res.status, 200);
    assert.equal(pluginSha, sha);
    assert.equal((res.json() as ReceivedRequest).bodySha256, sha);
  });

  it('/metrics shows hook latency histograms and error counters', async () => {
    const res = await request(gw.url('/metrics'));
    assert.equal(res.status, 200);
    const text = res.text();
    assert.match(text, /hookgate_hook_duration_seconds_bucket\{le="0\.5",api_id="slow",hook="Sleep",hook_type="pre"\} \d+/);
    assert.match(text, /hookgate_hook_errors_total\{api_id="slow",hook="Sleep",hook_type="pre",code="DEADLINE_EXCEEDED"\} [1-9]/);
    assert.match(text, /hookgate_hook_errors_total\{api_id="closed",hook="Broken",hook_type="pre",code="UNKNOWN"\} [1-9]/);
    assert.match(text, /hookgate_hook_fail_open_total\{api_id="open",hook="Broken",hook_type="pre"\} [1-9]/);
    assert.match(text, /hookgate_http_requests_total\{api_id="big",code="200"\} 1/);
  });
});

describe('request bodies over grpc_send_max_size', () => {
  it('are refused with 413 before anything is sent to the plugin', async () => {
    const plugin = await startGrpcPlugin();
    const up = await startUpstream();
    const gw = await startGatewayProcess({
      config: coprocessConfig(plugin.address, { grpc_send_max_size: 64 * 1024 }),
      apis: { 'b.json': pluginApi('b', '/b/', up.origin, { pre: [{ name: 'Any' }] }) },
    });
    try {
      const declared = await request(gw.url('/b/x'), { method: 'POST', body: Buffer.alloc(100 * 1024, 1) });
      assert.equal(declared.status, 413);
      assert.equal(declared.text(), tykError('Request is too large'));
      // A text body under the limit whose Object (body + raw_body) is over it: also 413, not a gRPC error.
      const doubled = await request(gw.url('/b/y'), { method: 'POST', body: 'x'.repeat(40 * 1024) });
      assert.equal(doubled.status, 413);
      // Chunked, no Content-Length: cut off while reading, as soon as it passes the limit.
      const chunked = await request(gw.url('/b/z'), { method: 'POST', body: patternStream(5 * 1024 * 1024) });
      assert.equal(chunked.status, 413);
      assert.equal(plugin.received.length, 0, 'the plugin never saw the oversized requests');
      assert.equal((await request(gw.url('/b/small'), { method: 'POST', body: 'ok' })).status, 200);
    } finally {
      await gw.stop();
      await plugin.stop();
      await up.close();
    }
  });
});

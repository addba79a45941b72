import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { coprocessConfig, keylessApi, pluginApi } from '../helpers/apis.js';
import { control, keySession, SECRET } from '../helpers/control.js';
import { startGatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin } from '../helpers/grpc-plugin.js';
import { request, tykError } from '../helpers/http.js';
import { requireProgram } from '../helpers/programs.js';
import { startRedis } from '../helpers/redis.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream } from '../helpers/upstream.js';

const ORG = 'org1';

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(50);
  }
  return Date.now() - started;
}

describe('Redis stopped mid-run', () => {
  it('fails closed with 503, never crashes, keeps every persisted session, and recovers by itself', async (t) => {
    if (!requireProgram(t, 'redis-server', 'apt-get install redis-server')) return;
    const data = await tempDir();
    let redis = await startRedis(undefined, data.path);
    const plugin = await startGrpcPlugin({
      Auth: (o) => {
        o.session = { rate: 100, per: 1, quota_max: 1000, quota_renewal_rate: 3600 } as never;
        o.metadata = { token: o.request?.headers['Authorization'] ?? '' };
        return o;
      },
    });
    const up = await startUpstream();
    const apis = {
      'tok.json': { ...keylessApi('tok', '/tok/', up.origin), org_id: ORG, use_keyless: false },
      'plug.json': pluginApi('plug', '/plug/', up.origin, { auth_check: { name: 'Auth' } }, { org_id: ORG }),
    };
    const storage = { type: 'redis', host: '127.0.0.1', port: redis.port, timeout: 1 };
    const closed = await startGatewayProcess({ config: { secret: SECRET, storage, ...coprocessConfig(plugin.address) }, apis });
    const open = await startGatewayProcess({ config: { secret: SECRET, storage, ...coprocessConfig(plugin.address), hookgate: { limits_on_storage_failure: 'fail_open' } }, apis });
    try {
      assert.equal((await control(closed.url(''), 'POST', '/tyk/keys/persisted-key', keySession('tok', ORG, { rate: 100, per: 1 }))).status, 200);
      assert.equal((await request(closed.url('/tok/x'), { headers: { authorization: 'persisted-key' } })).status, 200);
      assert.equal((await request(closed.url('/plug/x'), { headers: { authorization: 'plugin-user' } })).status, 200);

      await redis.stop();
      const token = await request(closed.url('/tok/x'), { headers: { authorization: 'persisted-key' } });
      assert.equal(token.status, 503);
      assert.equal(token.text(), tykError('Session storage unavailable'));
      const plug = await request(closed.url('/plug/x'), { headers: { authorization: 'plugin-user' } });
      assert.equal(plug.status, 503, 'fail_closed: limits cannot be checked, so the request is refused');
      assert.equal((await request(open.url('/plug/x'), { headers: { authorization: 'plugin-user' } })).status, 200, 'fail_open: let through');
      assert.equal((await request(open.url('/tok/x'), { headers: { authorization: 'persisted-key' } })).status, 503, 'no storage, no auth token');
      assert.match((await request(open.url('/metrics'))).text(), /hookgate_limits_fail_open_total\{api_id="plug"\} [1-9]/);
      const created = await control(closed.url(''), 'POST', '/tyk/keys/during-outage', keySession('tok', ORG));
      assert.equal(created.status, 503);
      assert.deepEqual(created.json(), { status: 'error', message: 'Storage unavailable; see the gateway log' });
      const hello = (await request(closed.url('/hello'))).json() as { status: string };
      assert.equal(hello.status, 'fail');
      assert.equal(closed.child.exitCode, null, 'the gateway is still running');

      const restartedAt = Date.now();
      redis = await startRedis(redis.port, data.path);
      const recoveredMs = await until(async () => (await request(closed.url('/tok/x'), { headers: { authorization: 'persisted-key' } })).status === 200, 15_000);
      t.diagnostic(`requests succeed again ${recoveredMs} ms after redis-server was back (restart took ${Date.now() - restartedAt - recoveredMs} ms)`);
      assert.equal((await request(closed.url('/plug/x'), { headers: { authorization: 'plugin-user' } })).status, 200);
      const stored = await control(closed.url(''), 'GET', '/tyk/keys/plugin-user');
      assert.equal(stored.status, 200, 'the plugin session persisted before the outage is still there');
    } finally {
      await Promise.all([closed.stop(), open.stop()]);
      await redis.stop();
      await plugin.stop();
      await up.close();
      await data.remove();
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { request } from '../helpers/http.js';
import { requireProgram } from '../helpers/programs.js';
import { startRedis } from '../helpers/redis.js';

interface Hello {
  status: string;
  version: string;
  details: Record<string, { status: string; componentType: string; output?: string; time: string }>;
}

async function hello(gw: GatewayProcess, path = '/hello'): Promise<Hello> {
  const res = await request(gw.url(path));
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/json');
  return res.json() as Hello;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}

describe('/hello and /ready', () => {
  it('report the in-memory store as passing, and refuse other methods', async () => {
    const gw = await startGatewayProcess();
    try {
      const body = await hello(gw);
      assert.equal(body.status, 'pass');
      assert.equal(body.details['memory']?.status, 'pass');
      assert.equal(body.details['memory']?.componentType, 'datastore');
      assert.match(body.version, /^\d+\.\d+\.\d+/);
      const ready = await request(gw.url('/ready'));
      assert.equal(ready.status, 200);
      const post = await request(gw.url('/hello'), { method: 'POST' });
      assert.equal(post.status, 405);
      assert.deepEqual(post.json(), { status: 'error', message: 'Method Not Allowed' });
    } finally {
      await gw.stop();
    }
  });

  it('honour health_check_endpoint_name', async () => {
    const gw = await startGatewayProcess({ config: { health_check_endpoint_name: 'healthz' } });
    try {
      assert.equal((await hello(gw, '/healthz')).status, 'pass');
      assert.equal((await request(gw.url('/hello'))).status, 404);
    } finally {
      await gw.stop();
    }
  });

  it('report Redis down while it is down, and up again once it is back, without a restart', async (t) => {
    if (!requireProgram(t, 'redis-server', 'apt-get install redis-server')) return;
    const redis = await startRedis();
    const gw = await startGatewayProcess({ config: { storage: { type: 'redis', host: '127.0.0.1', port: redis.port, timeout: 1 } } });
    try {
      await until(async () => (await hello(gw)).status === 'pass', 5000);
      assert.equal((await hello(gw)).details['redis']?.status, 'pass');

      await redis.stop();
      await until(async () => (await hello(gw)).status === 'fail', 5000);
      const down = await hello(gw);
      assert.equal(down.details['redis']?.status, 'fail');
      assert.match(down.details['redis']?.output ?? '', /Redis connection is/);
      const notReady = await request(gw.url('/ready'));
      assert.equal(notReady.status, 503);
      assert.deepEqual(notReady.json(), { status: 'error', message: 'Redis connection not available' });
      await gw.waitForLog((l) => l.msg === 'Redis unavailable; reconnecting', 5000);

      const back = await startRedis(redis.port);
      try {
        await until(async () => (await hello(gw)).status === 'pass', 10_000);
        assert.equal((await request(gw.url('/ready'))).status, 200);
      } finally {
        await back.stop();
      }
    } finally {
      await gw.stop();
      await redis.stop();
    }
  });
});

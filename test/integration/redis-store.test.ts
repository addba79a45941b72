import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { RedisStore } from '../../gateway/storage/index.js';
import { requireProgram } from '../helpers/programs.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { storeContract } from '../helpers/store-contract.js';

const silent = pino({ level: 'silent' });
const redisConfig = (port: number) => ({ kind: 'redis' as const, host: '127.0.0.1', port, username: '', password: '', database: 0, commandTimeoutMs: 1000 });

async function ready(store: RedisStore, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await store.health()).status !== 'pass') {
    if (Date.now() > deadline) throw new Error('Redis store did not connect');
    await sleep(20);
  }
}

describe('RedisStore against a real redis-server', { concurrency: false }, () => {
  describe('store contract', () => {
    let redis: RedisServer | undefined;
    storeContract(async () => {
      if (redis === undefined) redis = await startRedis();
      const store = new RedisStore(redisConfig(redis.port), silent);
      await ready(store);
      return { store, stop: async () => undefined };
    });
    it('stops its redis-server', async (t) => {
      if (!requireProgram(t, 'redis-server', 'apt-get install redis-server')) return;
      await redis?.stop();
    });
  });

  it('fails fast while Redis is down, reports it, and reconnects by itself', async (t) => {
    if (!requireProgram(t, 'redis-server', 'apt-get install redis-server')) return;
    const redis = await startRedis();
    const store = new RedisStore(redisConfig(redis.port), silent);
    try {
      await ready(store);
      await store.set('survives', 'no');
      await redis.stop();
      await sleep(100);

      const started = Date.now();
      await assert.rejects(store.get('k'));
      assert.ok(Date.now() - started < 1500, 'a command while Redis is down must fail, not hang');
      const down = await store.health();
      assert.equal(down.status, 'fail');
      assert.match(down.output ?? '', /Redis connection is (reconnecting|connecting|close)/);

      const again = await startRedis(redis.port);
      try {
        const reconnectStarted = Date.now();
        await ready(store, 10_000);
        t.diagnostic(`reconnected ${Date.now() - reconnectStarted} ms after Redis came back`);
        await store.set('k', 'v');
        assert.equal(await store.get('k'), 'v');
      } finally {
        await again.stop();
      }
    } finally {
      await store.close();
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { keylessApi } from '../helpers/apis.js';
import { control, keySession, SECRET } from '../helpers/control.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { request } from '../helpers/http.js';
import { requireProgram } from '../helpers/programs.js';
import { startRedis } from '../helpers/redis.js';
import { startUpstream } from '../helpers/upstream.js';

const ORG = 'org1';
const api = (target: string) => ({ 'k.json': { ...keylessApi('k', '/k/', target), org_id: ORG, use_keyless: false } });

/** Calls per command since the last CONFIG RESETSTAT (INFO commandstats), the INFO call itself left out. */
async function commandCalls(redis: Redis): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await redis.info('commandstats')).matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) {
    if (m[1] !== 'info') out[m[1] as string] = Number(m[2]);
  }
  return out;
}

describe('the auth token + rate limit + quota path on Redis', () => {
  it('one authenticated request is three commands: GET the session, one EVALSHA for rate limit and quota, SET the session', async (t) => {
    if (!requireProgram(t, 'redis-server', 'apt-get install redis-server')) return;
    const server = await startRedis();
    const up = await startUpstream();
    const redis = new Redis({ port: server.port, lazyConnect: true });
    let gw: GatewayProcess | undefined;
    try {
      await redis.connect();
      gw = await startGatewayProcess({ config: { secret: SECRET, storage: { type: 'redis', host: '127.0.0.1', port: server.port } }, apis: api(up.origin) });
      assert.equal((await control(gw.url(''), 'POST', '/tyk/keys/path-key', keySession('k', ORG, { rate: 100, per: 60, quota_max: 100, quota_renewal_rate: 3600 }))).status, 200);
      // The first request loads the script; then the steady state.
      assert.equal((await request(gw.url('/k/x'), { headers: { authorization: 'path-key' } })).status, 200);
      await redis.config('RESETSTAT');
      const n = 10;
      for (let i = 0; i < n; i++) assert.equal((await request(gw.url('/k/x'), { headers: { authorization: 'path-key' } })).status, 200);
      const calls = await commandCalls(redis);
      t.diagnostic(`commands for ${n} requests: ${JSON.stringify(calls)}`);
      // Tyk's keys and layout, unchanged: the script's own commands count under their names too.
      assert.deepEqual(
        Object.fromEntries(Object.entries(calls).filter(([name]) => ['get', 'evalsha', 'eval', 'set', 'setex', 'incr'].includes(name))),
        { get: n, evalsha: n, set: n, incr: n },
      );
      assert.equal(await redis.zcard(`rate-limit-${ORG}path-key`), n + 1);
      assert.equal(await redis.get(`quota-${ORG}path-key`), String(n + 1));
      const ttl = await redis.pttl(`quota-${ORG}path-key`);
      assert.ok(ttl > 3590_000 && ttl <= 3600_000, `quota ttl ${ttl}`);
      const stored = JSON.parse((await redis.get(`apikey-${ORG}path-key`)) ?? '{}') as { quota_remaining?: number };
      assert.equal(stored.quota_remaining, 100 - (n + 1));
    } finally {
      await gw?.stop();
      redis.disconnect();
      await up.close();
      await server.stop();
    }
  });

  it('two gateways: rate 5 per 10 s and quota 3 hold exactly across both; a rate-limited hit is not counted in the quota', async (t) => {
    if (!requireProgram(t, 'redis-server', 'apt-get install redis-server')) return;
    const server = await startRedis();
    const up = await startUpstream();
    const redis = new Redis({ port: server.port, lazyConnect: true });
    const storage = { type: 'redis', host: '127.0.0.1', port: server.port };
    const [a, b] = await Promise.all([0, 1].map(() => startGatewayProcess({ config: { secret: SECRET, storage }, apis: api(up.origin) })));
    try {
      assert.ok(a && b);
      await redis.connect();
      assert.equal((await control(a.url(''), 'POST', '/tyk/keys/both-key', keySession('k', ORG, { rate: 5, per: 10, quota_max: 3, quota_renewal_rate: 3600 }))).status, 200);
      const send = (gw: GatewayProcess) => request(gw.url('/k/x'), { headers: { authorization: 'both-key' } }).then((r) => r.status);
      const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => send(i % 2 === 0 ? a : b)));
      const count = (s: number) => statuses.filter((x) => x === s).length;
      assert.deepEqual([count(200), count(403), count(429)], [3, 2, 15], JSON.stringify(statuses));
      // Only the 5 hits the rate limit let through were counted.
      assert.equal(await redis.get(`quota-${ORG}both-key`), '5');
      assert.equal(await redis.zcard(`rate-limit-${ORG}both-key`), 5);
    } finally {
      await Promise.all([a?.stop(), b?.stop()]);
      redis.disconnect();
      await up.close();
      await server.stop();
    }
  });
});

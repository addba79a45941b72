import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keylessApi } from '../helpers/apis.js';
import { control, keySession, SECRET } from '../helpers/control.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { request } from '../helpers/http.js';
import { requireProgram } from '../helpers/programs.js';
import { startRedisCluster } from '../helpers/redis-cluster.js';
import { startRedis } from '../helpers/redis.js';
import { startUpstream } from '../helpers/upstream.js';

const ORG = 'org1';
const api = (target: string) => ({ 'k.json': { ...keylessApi('k', '/k/', target), org_id: ORG, use_keyless: false } });

/** 20 requests, 10 through each gateway, all at once. */
async function burst(a: GatewayProcess, b: GatewayProcess, key: string): Promise<number[]> {
  const send = (gw: GatewayProcess) => request(gw.url('/k/x'), { headers: { authorization: key } }).then((r) => r.status);
  return Promise.all(Array.from({ length: 20 }, (_, i) => send(i % 2 === 0 ? a : b)));
}

describe('gateways sharing storage enforce one limit', () => {
  it('two gateways on one Redis: 5 of 20 requests across both pass a rate of 5 per 10 s; quotas are shared too', async (t) => {
    if (!requireProgram(t, 'redis-server', 'apt-get install redis-server')) return;
    const redis = await startRedis();
    const up = await startUpstream();
    const storage = { type: 'redis', host: '127.0.0.1', port: redis.port };
    const [a, b] = await Promise.all([0, 1].map(() => startGatewayProcess({ config: { secret: SECRET, storage }, apis: api(up.origin) })));
    assert.ok(a && b);
    try {
      assert.equal((await control(a.url(''), 'POST', '/tyk/keys/shared-rate', keySession('k', ORG, { rate: 5, per: 10 }))).status, 200);
      const statuses = await burst(a, b, 'shared-rate');
      assert.equal(statuses.filter((s) => s === 200).length, 5, JSON.stringify(statuses));
      assert.equal(statuses.filter((s) => s === 429).length, 15);

      assert.equal((await control(b.url(''), 'POST', '/tyk/keys/shared-quota', keySession('k', ORG, { quota_max: 4, quota_renewal_rate: 3600 }))).status, 200);
      const quota = await burst(a, b, 'shared-quota');
      assert.equal(quota.filter((s) => s === 200).length, 4, JSON.stringify(quota));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await up.close();
      await redis.stop();
    }
  });

  it('two gateways on a 3-master Redis Cluster: one combined limit, and sessions written by one are read by the other', async (t) => {
    if (!requireProgram(t, 'redis-server', 'apt-get install redis-server') || !requireProgram(t, 'redis-cli', 'apt-get install redis-tools')) return;
    const cluster = await startRedisCluster({ masters: 3 });
    const up = await startUpstream();
    const storage = { type: 'redis', enable_cluster: true, addrs: cluster.nodes.map((n) => `${n.host}:${n.port}`) };
    const [a, b] = await Promise.all([0, 1].map(() => startGatewayProcess({ config: { secret: SECRET, storage }, apis: api(up.origin) })));
    assert.ok(a && b);
    try {
      // Keys spread over the masters: several sessions, each written through A and used through B.
      for (const name of ['cluster-key-a', 'cluster-key-b', 'cluster-key-c', 'cluster-key-d']) {
        assert.equal((await control(a.url(''), 'POST', `/tyk/keys/${name}`, keySession('k', ORG, { rate: 100, per: 1 }))).status, 200);
        assert.equal((await request(b.url('/k/x'), { headers: { authorization: name } })).status, 200, name);
      }
      const masters = new Set(await Promise.all(['cluster-key-a', 'cluster-key-b', 'cluster-key-c', 'cluster-key-d'].map((n) => cluster.nodeFor(`apikey-${ORG}${n}`))));
      assert.ok(masters.size > 1, 'the sessions are spread over several masters');
      t.diagnostic(`the four sessions live on ${masters.size} of 3 masters`);
      assert.equal((await control(b.url(''), 'POST', '/tyk/keys/cluster-rate', keySession('k', ORG, { rate: 5, per: 10 }))).status, 200);
      const statuses = await burst(a, b, 'cluster-rate');
      assert.equal(statuses.filter((s) => s === 200).length, 5, JSON.stringify(statuses));
      const listed = (await control(a.url(''), 'GET', '/tyk/keys')).json() as { keys: string[] };
      assert.ok(listed.keys.includes(`${ORG}cluster-key-a`) && listed.keys.includes(`${ORG}cluster-key-d`), 'listing reads every master');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await up.close();
      await cluster.stop();
    }
  });
});

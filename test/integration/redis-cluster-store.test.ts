import assert from 'node:assert/strict';
import { after, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { StorageConfig } from '../../gateway/config/index.js';
import { RedisClusterStore } from '../../gateway/storage/index.js';
import { startGatewayProcess } from '../helpers/gateway-process.js';
import { request } from '../helpers/http.js';
import { hasProgram, requireProgram } from '../helpers/programs.js';
import { clusterState, nodeCommand, startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { captureLogs } from '../helpers/sidecars.js';
import { storeContract } from '../helpers/store-contract.js';
import { crossProcessContract } from '../helpers/store-processes.js';

const silent = pino({ level: 'silent' });
const COMMAND_TIMEOUT_MS = 1000;
const INSTALL = 'apt-get install redis-server redis-tools';

const clusterConfig = (cluster: RedisCluster): Extract<StorageConfig, { kind: 'redis-cluster' }> => ({
  kind: 'redis-cluster',
  // One seed is enough: the client discovers the other masters from it.
  nodes: cluster.nodes.slice(0, 1).map(({ host, port }) => ({ host, port })),
  username: '',
  password: '',
  commandTimeoutMs: COMMAND_TIMEOUT_MS,
});

async function healthy(store: RedisClusterStore, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = await store.health();
    if (health.status === 'pass') return;
    if (Date.now() > deadline) throw new Error(`Redis Cluster store not healthy after ${timeoutMs} ms: ${health.output}`);
    await sleep(20);
  }
}

/** Keys named `${prefix}N`, at least one on each of the nodes in `wanted`, by node index. */
async function keysOn(cluster: RedisCluster, prefix: string, wanted: readonly number[]): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  for (let i = 0; found.size < wanted.length && i < 1000; i++) {
    const node = await cluster.nodeFor(`${prefix}${i}`);
    if (wanted.includes(node) && !found.has(node)) found.set(node, `${prefix}${i}`);
  }
  return found;
}

/** Milliseconds `operation` took to reject; fails the test if it resolves. */
async function rejectsWithin(operation: () => Promise<unknown>): Promise<{ ms: number; message: string }> {
  const started = Date.now();
  try {
    await operation();
  } catch (err) {
    return { ms: Date.now() - started, message: err instanceof Error ? err.message : String(err) };
  }
  throw new Error('expected the command to fail while its master is down');
}

/** Opens a store on a fresh cluster; everything is closed and stopped afterwards. */
async function withFreshCluster(t: TestContext, fn: (cluster: RedisCluster, store: RedisClusterStore, logs: ReturnType<typeof captureLogs>) => Promise<void>): Promise<void> {
  const started = Date.now();
  const cluster = await startRedisCluster({ masters: 3 });
  t.diagnostic(`3-master cluster started in ${Date.now() - started} ms`);
  const logs = captureLogs();
  const store = new RedisClusterStore(clusterConfig(cluster), logs.logger);
  try {
    await healthy(store);
    await fn(cluster, store, logs);
  } finally {
    await store.close();
    await cluster.stop();
  }
}

const missing = !hasProgram('redis-server') || !hasProgram('redis-cli');

describe('RedisClusterStore against a real 3-master Redis Cluster', { concurrency: false, skip: missing && process.env['CI'] !== 'true' ? `redis-server or redis-cli is not installed (${INSTALL})` : false }, () => {
  let shared: RedisCluster | undefined;
  const sharedCluster = async () => (shared ??= await startRedisCluster({ masters: 3 }));
  after(async () => {
    await shared?.stop();
  });

  it('starts a cluster of 3 masters (redis-server and redis-cli are installed)', async (t) => {
    if (!requireProgram(t, 'redis-server', INSTALL) || !requireProgram(t, 'redis-cli', INSTALL)) return;
    const started = Date.now();
    const cluster = await sharedCluster();
    t.diagnostic(`3-master cluster started in ${Date.now() - started} ms`);
    assert.equal(cluster.nodes.length, 3);
    for (const node of cluster.nodes) assert.equal(await clusterState(node.port), 'ok');
  });

  describe('store contract', () => {
    storeContract(async () => {
      const store = new RedisClusterStore(clusterConfig(await sharedCluster()), silent);
      await healthy(store);
      return { store, stop: async () => undefined };
    });
  });

  it('spreads keys over every master, and listKeys finds the keys of every master', async () => {
    const cluster = await sharedCluster();
    const store = new RedisClusterStore(clusterConfig(cluster), silent);
    try {
      await healthy(store);
      const keys = Array.from({ length: 30 }, (_, i) => `spread-${i}`);
      for (const key of keys) await store.set(key, key);
      // Ask each node for the keys it holds itself: SCAN on one node never sees another's slots.
      const held = await Promise.all(cluster.nodes.map(async ({ port }) => ((await nodeCommand(port, 'SCAN', '0', 'MATCH', 'spread-*', 'COUNT', '1000')) as [string, string[]])[1]));
      for (const [i, own] of held.entries()) assert.ok(own.length > 0, `master ${i} holds none of the keys`);
      assert.deepEqual(held.flat().sort(), [...keys].sort(), 'every key on exactly one master');
      for (const [i, own] of held.entries()) for (const key of own) assert.equal(await cluster.nodeFor(key), i);

      assert.deepEqual((await store.listKeys('spread-')).sort(), [...keys].sort());
      assert.equal((await store.listKeys('spread-', 7)).length, 7);
      assert.deepEqual(await store.listKeys('spread-1'), (await store.listKeys('spread-')).filter((k) => k.startsWith('spread-1')));
    } finally {
      await store.close();
    }
  });

  it('connects through the seeds that work when another seed does not resolve, and says so once', async () => {
    const cluster = await sharedCluster();
    const logs = captureLogs();
    const seed = cluster.nodes[2] ?? assert.fail('no node 2');
    const store = new RedisClusterStore({ ...clusterConfig(cluster), nodes: [{ host: 'no-such-host.invalid', port: 7000 }, { host: 'localhost', port: seed.port }] }, logs.logger);
    try {
      await healthy(store);
      await store.set('seeded', 'yes');
      assert.equal(await store.get('seeded'), 'yes');
      const dns = logs.lines.filter((l) => l.msg === 'Redis Cluster unavailable; reconnecting' && l['redis'] === 'dns:no-such-host.invalid');
      assert.equal(dns.length, 1);
      assert.match(String(dns[0]?.['err']), /ENOTFOUND/);
    } finally {
      await store.close();
    }
  });

  describe('shared by separate gateway processes', () => {
    crossProcessContract(async () => clusterConfig(await sharedCluster()));
  });

  it('reports itself as "redis" in /hello, from a tyk.conf with enable_cluster and addrs', async () => {
    const cluster = await sharedCluster();
    const addrs = cluster.nodes.map(({ host, port }) => `${host}:${port}`);
    const gw = await startGatewayProcess({ config: { storage: { type: 'redis', enable_cluster: true, addrs, timeout: 1 } } });
    try {
      let body: { details: Record<string, { status: string; output?: string }> } | undefined;
      const deadline = Date.now() + 10_000;
      do {
        body = (await request(gw.url('/hello'))).json() as typeof body;
        if (body?.details['redis']?.status === 'pass') break;
        await sleep(50);
      } while (Date.now() < deadline);
      assert.equal(body?.details['redis']?.status, 'pass', JSON.stringify(body));
      assert.equal((await request(gw.url('/ready'))).status, 200);
      await gw.waitForLog((l) => l.msg === 'Redis Cluster connected', 5000);
    } finally {
      await gw.stop();
    }
  });

  it('one master down: its keys fail fast, health says which, the outage is logged once; it recovers by itself after a restart', async (t) => {
    await withFreshCluster(t, async (cluster, store, logs) => {
      const victim = 1;
      const victimAddr = `127.0.0.1:${cluster.nodes[victim]?.port}`;
      const keys = await keysOn(cluster, 'outage-', [0, victim]);
      const onVictim = keys.get(victim) ?? assert.fail('no key on the victim');
      const onOther = keys.get(0) ?? assert.fail('no key on another master');
      await store.set(onVictim, 'lost');
      await store.set(onOther, 'kept');

      await cluster.killNode(victim);
      const failures = [
        await rejectsWithin(() => store.get(onVictim)),
        await rejectsWithin(() => store.hitSlidingWindow(onVictim, 5, 1000)),
        await rejectsWithin(() => store.incrementQuota(onVictim, 60)),
      ];
      t.diagnostic(`commands on the downed master's keys failed in ${failures.map((f) => `${f.ms} ms`).join(', ')} (${failures[0]?.message})`);
      for (const f of failures) assert.ok(f.ms < COMMAND_TIMEOUT_MS, `took ${f.ms} ms: ${f.message}`);
      const down = await store.health();
      assert.equal(down.status, 'fail');
      assert.match(down.output ?? '', new RegExp(`master ${victimAddr} is (reconnecting|connecting|close)`));

      // Once the others declare it failed (cluster-node-timeout), a cluster that needs every slot
      // covered stops serving the other masters' keys too, and says so, fast.
      const deadline = Date.now() + 10_000;
      while ((await clusterState(cluster.nodes[0]?.port ?? 0)) !== 'fail') {
        if (Date.now() > deadline) throw new Error('the cluster never noticed the master was down');
        await sleep(50);
      }
      const clusterDown = await rejectsWithin(() => store.get(onOther));
      t.diagnostic(`after cluster_state:fail, a live master's key failed in ${clusterDown.ms} ms (${clusterDown.message})`);
      assert.ok(clusterDown.ms < COMMAND_TIMEOUT_MS, `took ${clusterDown.ms} ms: ${clusterDown.message}`);
      // Retries after CLUSTERDOWN go to a random master, so the last error may be the downed one's.
      assert.match(clusterDown.message, /CLUSTERDOWN|Connection is closed/);

      const restarted = Date.now();
      const clusterOk = cluster.restartNode(victim).then(() => Date.now() - restarted);
      let storeOk: number | undefined;
      while (storeOk === undefined) {
        if (Date.now() - restarted > 15_000) throw new Error(`the store did not recover: ${(await store.health()).output}`);
        try {
          await store.set(onVictim, 'back');
          await store.get(onOther);
          if ((await store.health()).status === 'pass') storeOk = Date.now() - restarted;
        } catch {
          await sleep(20);
        }
      }
      t.diagnostic(`master restarted: cluster_state:ok on every node after ${await clusterOk} ms, store working and healthy after ${storeOk} ms`);
      assert.equal(await store.get(onOther), 'kept');
      assert.equal(await store.get(onVictim), 'back', 'the restarted master (no persistence) came back empty and serves again');

      const unavailable = logs.lines.filter((l) => l.msg === 'Redis Cluster unavailable; reconnecting' && l['redis'] === victimAddr);
      assert.equal(unavailable.length, 1, `one line per outage, not per reconnect attempt: ${JSON.stringify(unavailable)}`);
      await logs.waitFor((l) => l.msg === 'Redis Cluster connected' && l['redis'] === victimAddr, 5000);
    });
  });

  it('every master down: everything fails fast and health fails; all restarted, it recovers by itself', async (t) => {
    await withFreshCluster(t, async (cluster, store) => {
      await store.set('everything', 'v');
      for (let i = 0; i < cluster.nodes.length; i++) await cluster.killNode(i);
      const failure = await rejectsWithin(() => store.incrementQuota('quota-everything', 60));
      t.diagnostic(`with every master down a command failed in ${failure.ms} ms (${failure.message})`);
      assert.ok(failure.ms < COMMAND_TIMEOUT_MS, `took ${failure.ms} ms`);
      assert.equal((await store.health()).status, 'fail');
      await assert.rejects(store.listKeys(''), /Redis Cluster master .* is/);

      const restarted = Date.now();
      for (let i = 0; i < cluster.nodes.length; i++) await cluster.restartNode(i, { waitForOk: false });
      await cluster.waitForOk();
      const clusterOk = Date.now() - restarted;
      await healthy(store, 15_000);
      await store.set('everything', 'again');
      t.diagnostic(`all masters restarted: cluster ok after ${clusterOk} ms, store healthy after ${Date.now() - restarted} ms`);
      assert.equal(await store.get('everything'), 'again');
    });
  });
});

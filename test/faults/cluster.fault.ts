import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { control, keySession } from '../helpers/control.js';
import { ORG, startFaultBed, STORAGE_TIMEOUT_S, TOKENS, type FaultBed } from '../helpers/fault-bed.js';
import { assertGatewayHealthy, report, runFault } from '../helpers/fault-run.js';
import { hasProgram } from '../helpers/programs.js';
import { nodeCommand, startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';

/**
 * A Redis Cluster (3 masters, no replicas, cluster-node-timeout 1 s) losing a master under load.
 * With full slot coverage required (Redis's default), the whole cluster stops serving once the
 * master is marked failed: every API that needs storage fails closed with 503, keyless does not
 * notice, nothing unauthenticated gets through, and everything serves again once the master is
 * back. The master killed is one holding no session key (it comes back empty: no persistence),
 * so recovery needs nothing but the restart. One cluster fault only: a cluster takes seconds to
 * create, and the suite has a time budget.
 */
const missing = !hasProgram('redis-server') || !hasProgram('redis-cli');

describe('Redis Cluster fault under load', { concurrency: false, timeout: 240_000, skip: missing && process.env['CI'] !== 'true' ? 'redis-server or redis-cli is not installed' : false }, () => {
  let cluster: RedisCluster | undefined;
  let bed: FaultBed | undefined;
  let clusterStartMs = 0;
  before(async () => {
    const began = performance.now();
    cluster = await startRedisCluster({ masters: 3, nodeTimeoutMs: 1000 });
    clusterStartMs = Math.round(performance.now() - began);
    const seed = cluster.nodes[0] ?? assert.fail('no cluster node');
    bed = await startFaultBed({ storage: { type: 'redis', enable_cluster: true, addrs: [`${seed.host}:${seed.port}`], timeout: STORAGE_TIMEOUT_S } });
  });
  after(async () => {
    await bed?.stop();
    await cluster?.stop();
  });

  it('a master killed (SIGKILL) for 3 s, then restarted: 503 meanwhile, then serving again', async (t) => {
    const c = cluster ?? assert.fail('no cluster');
    const b = bed ?? assert.fail('no bed');
    // One token key and the plugin's session: at most 2 of the 3 masters hold a session.
    for (const token of TOKENS.slice(1)) assert.equal((await control(b.gw.url(''), 'DELETE', `/tyk/keys/${token}?org_id=${ORG}`)).status, 200);
    const targets = b.targets.filter((x) => x.headers?.['authorization'] === undefined || !TOKENS.slice(1).includes(x.headers['authorization']));
    const sessions = await Promise.all(c.nodes.map(async (n) => ((await nodeCommand(n.port, 'KEYS', 'apikey-*')) as string[]).length));
    let victim = sessions.findIndex((count) => count === 0);
    const recreate = victim === -1;
    if (recreate) victim = 2;
    const figures = await runFault(t, b, {
      fault: 'Redis Cluster master SIGKILL for 3 s, restarted',
      affected: ['token', 'plugin'],
      holdMs: 3000,
      targets,
      recoveryLimitMs: 45_000,
      inject: () => c.killNode(victim),
      clear: async () => {
        await c.restartNode(victim);
        // Every node held a session key: the restarted one lost its keys, as an operator would, put them back.
        if (recreate) for (const token of TOKENS.slice(0, 1)) await control(b.gw.url(''), 'POST', `/tyk/keys/${token}`, keySession('tok', ORG, { rate: 1_000_000, per: 1 }));
      },
    });
    report(t, { fault: figures.fault, test: t.fullName, clusterStartMs, sessionKeysPerNode: sessions, victim, keysRecreated: recreate });
    for (const name of ['token', 'plugin']) {
      const seen = figures.duringFault[name] ?? {};
      assert.deepEqual(Object.keys(seen).filter((s) => s !== '200' && s !== '503'), [], `${name} during the fault: ${JSON.stringify(seen)}`);
    }
    assert.equal(figures.collateral, 0, 'the keyless API kept answering 200');
    assertGatewayHealthy(b);
  });
});

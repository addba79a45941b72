import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFaultBed, STORAGE_TIMEOUT_S, type FaultBed } from '../helpers/fault-bed.js';
import { assertGatewayHealthy, report, runFault, waitServing, type FaultFigures } from '../helpers/fault-run.js';
import { tykError } from '../helpers/http.js';
import { startLoad, tally } from '../helpers/load.js';
import { requireProgram } from '../helpers/programs.js';

/**
 * Redis failing under load: every API that needs Redis (token sessions, plugin sessions and their
 * limits) fails closed with 503, the keyless API does not notice, nothing unauthenticated gets
 * through, and the gateway recovers by itself when Redis answers again.
 */
function assertStorageFailClosed(figures: FaultFigures): void {
  for (const name of ['token', 'plugin']) {
    const seen = figures.duringFault[name] ?? {};
    assert.deepEqual(Object.keys(seen).filter((s) => s !== '200' && s !== '503'), [], `${name} during the outage: ${JSON.stringify(seen)}`);
  }
  assert.ok((figures.duringFault['token']?.['503'] ?? 0) > 0, `the outage was visible: ${JSON.stringify(figures.duringFault)}`);
  const bodies = new Set(figures.outcomes.filter((o) => o.authenticated && o.status === 503 && o.target === 'token').map((o) => o.detail));
  assert.deepEqual([...bodies], [tykError('Session storage unavailable')]);
  assert.equal(figures.collateral, 0, 'the keyless API kept answering 200');
}

/** Sends DEBUG SLEEP to redis-server with redis-cli, without waiting for it to finish. */
function debugSleep(port: number, seconds: number): Promise<void> {
  const child = spawn('redis-cli', ['-p', String(port), 'DEBUG', 'SLEEP', String(seconds)], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => resolve());
  });
}

describe('Redis faults under load', { concurrency: false, timeout: 240_000 }, () => {
  let bed: FaultBed | undefined;
  before(async () => {
    bed = await startFaultBed({ storageTimeoutS: STORAGE_TIMEOUT_S });
  });
  after(async () => {
    await bed?.stop();
  });
  const the = () => bed ?? assert.fail('the bed did not start');

  it('redis-server killed (SIGKILL) for 2 s, then restarted: 503 meanwhile, then serving again', async (t) => {
    if (!requireProgram(t, 'redis-server', 'apt-get install redis-server')) return;
    const figures = await runFault(t, the(), {
      fault: 'Redis killed (SIGKILL), restarted after 2 s',
      affected: ['token', 'plugin'],
      inject: () => the().killRedis(),
      clear: () => the().startRedisAgain(),
    });
    assertStorageFailClosed(figures);
    assertGatewayHealthy(the());
  });

  it('Redis slow (DEBUG SLEEP 4, over the 2 s storage timeout): 503 while it sleeps, then serving again', async (t) => {
    if (!requireProgram(t, 'redis-cli', 'apt-get install redis-tools')) return;
    const port = the().redis?.port ?? assert.fail('no redis');
    const figures = await runFault(t, the(), {
      fault: `Redis slow (DEBUG SLEEP 4; storage timeout ${STORAGE_TIMEOUT_S} s)`,
      affected: ['token', 'plugin'],
      inject: () => debugSleep(port, 4),
      holdMs: 4000,
    });
    assertStorageFailClosed(figures);
    assertGatewayHealthy(the());
  });

  it('SIGTERM while Redis is down under heavy load: the gateway still stops within its grace period', async (t) => {
    if (!requireProgram(t, 'redis-server', 'apt-get install redis-server')) return;
    const bed = the();
    await waitServing(bed);
    const load = startLoad(bed.gw.url(''), bed.targets, { clients: 24, maxMs: 60_000 });
    try {
      await sleep(500);
      await bed.killRedis();
      await sleep(1500);
      const sent = performance.now();
      bed.gw.child.kill('SIGTERM');
      // graceful_shutdown_timeout_duration is 5 s; 15 s is generous on a loaded machine.
      const exit = await Promise.race([bed.gw.exited, sleep(15_000).then(() => undefined)]);
      const stopMs = Math.round(performance.now() - sent);
      if (exit === undefined) bed.gw.child.kill('SIGKILL');
      // When each step of the shutdown was logged, in ms after the signal.
      const sentAt = Date.now() - (performance.now() - sent);
      const steps = bed.gw.logs.filter((l) => l.msg !== 'request' && Date.parse(String(l['time'])) >= sentAt - 5).map((l) => `${Date.parse(String(l['time'])) - Math.round(sentAt)} ms ${l.msg}`);
      report(t, { fault: 'SIGTERM while Redis is down, 24 clients', test: t.fullName, stopMs, exit, steps: steps.slice(0, 20), statuses: tally(load.outcomes) });
      assert.ok(exit !== undefined, `the gateway did not exit within 15 s of SIGTERM; last log lines: ${bed.gw.logs.slice(-5).map((l) => l.msg).join(' | ')}`);
      assert.deepEqual(exit, { code: 0, signal: null });
    } finally {
      await load.stop();
      await bed.startRedisAgain();
    }
  });
});

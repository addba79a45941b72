import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFaultBed, type FaultBed } from '../helpers/fault-bed.js';
import { assertGatewayHealthy, runFault, type FaultFigures } from '../helpers/fault-run.js';
import { tykError } from '../helpers/http.js';

/**
 * The plugin sidecar misbehaving under load: the plugin-auth API fails closed (403 Key not
 * authorised), nothing unauthenticated reaches the upstream, the other APIs do not notice, and
 * authentication works again once the fault is gone (by itself after a kill: the gateway
 * restarts its sidecar).
 */
function assertFailedClosed(figures: FaultFigures): void {
  const plugin = figures.duringFault['plugin'] ?? {};
  assert.deepEqual(Object.keys(plugin).filter((s) => s !== '200' && s !== '403'), [], `plugin API answers during the fault: ${JSON.stringify(plugin)}`);
  assert.ok((plugin['403'] ?? 0) > 0, `the fault was visible to clients: ${JSON.stringify(plugin)}`);
  const refused = figures.outcomes.filter((o) => o.target === 'plugin' && o.authenticated && o.status === 403);
  assert.ok(refused.every((o) => o.detail === tykError('Key not authorised')), `403 bodies: ${[...new Set(refused.map((o) => o.detail))].join(' | ')}`);
  assert.equal(figures.collateral, 0, 'the keyless and token APIs kept answering 200');
}

// Both Dispatch transports: grpc-js (the reference) and Hookgate's own h2 client (the default; docs/transport.md).
for (const transport of ['grpc-js', 'h2'] as const) describe(`plugin sidecar faults under load (${transport} transport)`, { concurrency: false, timeout: 240_000 }, () => {
  let bed: FaultBed;
  before(async () => {
    bed = await startFaultBed({ dispatchTimeoutMs: 500, transport });
  });
  after(async () => {
    await bed?.stop();
  });

  it('sidecar killed (SIGKILL): fails closed, the gateway restarts it', async (t) => {
    const victim = bed.pluginPid();
    const figures = await runFault(t, bed, { fault: `plugin sidecar SIGKILL (${transport})`, affected: ['plugin'], holdMs: 0, inject: async () => void process.kill(victim, 'SIGKILL') });
    assertFailedClosed(figures);
    assert.notEqual(bed.pluginPid(), victim, 'a new sidecar process serves');
    assertGatewayHealthy(bed);
  });

  it('sidecar frozen (SIGSTOP for 2 s, then SIGCONT): calls time out and fail closed', async (t) => {
    const pid = bed.pluginPid();
    const figures = await runFault(t, bed, {
      fault: `plugin sidecar SIGSTOP 2 s, SIGCONT (${transport})`,
      affected: ['plugin'],
      inject: async () => void process.kill(pid, 'SIGSTOP'),
      clear: async () => void process.kill(pid, 'SIGCONT'),
    });
    assertFailedClosed(figures);
    assertGatewayHealthy(bed);
  });

  for (const [mode, amount, what] of [
    ['slow', 2000, 'slow: sleeps 2 s, past the 500 ms deadline'],
    ['malformed', 0, 'replies with bytes that are not an Object'],
    ['huge', 2048, 'replies with a 2 MiB Object (grpc_recv_max_size 1 MiB)'],
    ['close', 0, 'closes the connection mid-call'],
    ['error', 0, 'answers grpc-status INTERNAL'],
  ] as const) {
    it(`sidecar ${what}: fails closed`, async (t) => {
      const figures = await runFault(t, bed, {
        fault: `plugin sidecar ${what} (${transport})`,
        affected: ['plugin'],
        inject: () => bed.pluginMode(mode, amount),
        clear: () => bed.pluginMode('ok'),
      });
      assertFailedClosed(figures);
      assertGatewayHealthy(bed);
    });
  }
});

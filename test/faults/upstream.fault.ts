import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFaultBed, type FaultBed } from '../helpers/fault-bed.js';
import { assertGatewayHealthy, runFault, type FaultFigures } from '../helpers/fault-run.js';
import { ok } from '../helpers/load.js';

/**
 * The upstream failing under load: clients get a gateway error (never a hang, never a truncated
 * body presented as complete), auth is still enforced (nothing unauthenticated reaches the
 * upstream), and traffic flows again when the upstream is back.
 */
const ALL = ['keyless', 'token', 'plugin'];

function assertGatewayErrors(figures: FaultFigures, allowed: readonly number[]): void {
  for (const name of ALL) {
    const seen = figures.duringFault[name] ?? {};
    const unexpected = Object.keys(seen).filter((s) => s !== '200' && !allowed.includes(Number(s)));
    assert.deepEqual(unexpected, [], `${name} during the fault: ${JSON.stringify(seen)}`);
  }
  const failed = figures.outcomes.filter((o) => o.authenticated && o.start >= figures.injectedAt && o.start < figures.clearedAt && !ok(o));
  assert.ok(failed.length > 0, 'the fault was visible to clients');
  // A success is a whole body: the guard upstream's answers for one path are all the same length.
  const sizes = new Map<string, Set<number>>();
  for (const o of figures.outcomes.filter(ok)) sizes.set(o.target, (sizes.get(o.target) ?? new Set()).add(o.bytes));
  for (const [target, set] of sizes) assert.equal(set.size, 1, `${target}: 200 answers with bodies of ${[...set].join(', ')} bytes`);
}

describe('upstream faults under load', { concurrency: false, timeout: 240_000 }, () => {
  let bed: FaultBed;
  before(async () => {
    bed = await startFaultBed({ proxyTimeoutS: 2 });
  });
  after(async () => {
    await bed?.stop();
  });

  it('upstream killed for 2 s (port closed, connections dropped), then back: 502, then 200', async (t) => {
    const figures = await runFault(t, bed, { fault: 'upstream killed for 2 s, then back', affected: ALL, inject: () => bed.up.kill(), clear: () => bed.up.revive() });
    assertGatewayErrors(figures, [502]);
    assertGatewayHealthy(bed);
  });

  it('upstream slow (3 s per answer; proxy_default_timeout 2 s) for 2 s: 504, then 200', async (t) => {
    const figures = await runFault(t, bed, {
      fault: 'upstream slow: 3 s per answer, over proxy_default_timeout 2 s',
      affected: ALL,
      inject: async () => bed.up.setMode({ kind: 'slow', ms: 3000 }),
      clear: async () => bed.up.setMode({ kind: 'ok' }),
    });
    assertGatewayErrors(figures, [504]);
    assertGatewayHealthy(bed);
  });

  it('upstream resetting connections mid-response for 2 s: the client sees a failure, never a cut body as a success', async (t) => {
    const figures = await runFault(t, bed, {
      fault: 'upstream resets connections mid-response',
      affected: ALL,
      inject: async () => bed.up.setMode({ kind: 'reset' }),
      clear: async () => bed.up.setMode({ kind: 'ok' }),
    });
    // Headers may already be on their way when the upstream resets: then the client's connection is cut (status 0).
    assertGatewayErrors(figures, [0, 502]);
    assertGatewayHealthy(bed);
  });
});

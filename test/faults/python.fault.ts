import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFaultBed, type FaultBed } from '../helpers/fault-bed.js';
import { assertGatewayHealthy, runFault, type FaultFigures } from '../helpers/fault-run.js';
import { tykError } from '../helpers/http.js';
import { hasProgram } from '../helpers/programs.js';
import { running, until, workerChildren } from '../helpers/python.js';

/**
 * The Python bridge and its workers failing under load (the Python API's auth hook runs in a pool
 * of 2 workers): calls on a dead or hung worker, or while the bridge restarts, fail closed (403),
 * nothing unauthenticated gets through, and the Python API serves again by itself.
 */
function assertFailedClosed(figures: FaultFigures): void {
  const python = figures.duringFault['python'] ?? {};
  assert.deepEqual(Object.keys(python).filter((s) => s !== '200' && s !== '403'), [], `Python API answers during the fault: ${JSON.stringify(python)}`);
  const refused = figures.outcomes.filter((o) => o.target === 'python' && o.authenticated && o.status === 403);
  assert.ok(refused.every((o) => o.detail === tykError('Key not authorised')), [...new Set(refused.map((o) => o.detail))].join(' | '));
  assert.equal(figures.collateral, 0, 'the other APIs kept answering 200');
}

const skip = !hasProgram('python3') && process.env['CI'] !== 'true' ? 'python3 is not installed' : false;

describe('Python bridge worker faults under load', { concurrency: false, timeout: 240_000, skip }, () => {
  let bed: FaultBed;
  before(async () => {
    bed = await startFaultBed({ python: true });
  });
  after(async () => {
    await bed?.stop();
  });

  it('one worker killed (SIGKILL): its call fails closed, a new worker takes its place', async (t) => {
    const { bridgePid, workers } = bed.python();
    const victim = workers[0] ?? assert.fail(`no workers under bridge ${bridgePid}`);
    const figures = await runFault(t, bed, { fault: 'Python worker SIGKILL (1 of 2)', affected: ['python'], holdMs: 0, inject: async () => void process.kill(victim, 'SIGKILL') });
    assertFailedClosed(figures);
    await until(() => workerChildren(bridgePid).length === 2 && !workerChildren(bridgePid).includes(victim), 15_000, 'a replacement worker');
    assertGatewayHealthy(bed);
  });

  it('the bridge killed (SIGKILL): its workers go with it, the Python API fails closed until the gateway has restarted it', async (t) => {
    const { bridgePid, workers } = bed.python();
    const figures = await runFault(t, bed, {
      fault: 'Python bridge SIGKILL (workers die with it)',
      affected: ['python'],
      holdMs: 0,
      recoveryLimitMs: 60_000,
      inject: async () => void process.kill(bridgePid, 'SIGKILL'),
    });
    assertFailedClosed(figures);
    assert.ok((figures.duringFault['python']?.['403'] ?? 0) > 0, 'the restart was visible to clients');
    await until(() => workers.every((pid) => !running(pid)), 5000, 'the workers of the killed bridge to be gone');
    assert.notEqual(bed.python().bridgePid, bridgePid, 'a new bridge serves');
    assertGatewayHealthy(bed);
  });

  it('every worker hung (SIGSTOP for 3 s, past the 1 s deadline): calls fail closed, hung workers are replaced', async (t) => {
    const { bridgePid, workers } = bed.python();
    assert.equal(workers.length, 2);
    const figures = await runFault(t, bed, {
      fault: 'Python workers hung (SIGSTOP both for 3 s; deadline 1 s)',
      affected: ['python'],
      holdMs: 3000,
      inject: async () => workers.forEach((pid) => process.kill(pid, 'SIGSTOP')),
      clear: async () => workers.filter(running).forEach((pid) => process.kill(pid, 'SIGCONT')),
    });
    assertFailedClosed(figures);
    assert.ok((figures.duringFault['python']?.['403'] ?? 0) > 0, 'the hang was visible to clients');
    await gwLine(bed, 'after its deadline; killed, and replaced');
    assert.ok(workerChildren(bridgePid).some((pid) => !workers.includes(pid)), 'a hung worker was replaced');
    assertGatewayHealthy(bed);
  });
});

const gwLine = (bed: FaultBed, text: string) => bed.gw.waitForLog((l) => typeof l.msg === 'string' && l.msg.includes(text), 10_000);

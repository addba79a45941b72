import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PYTHON_TOKEN, startFaultBed, type FaultBed } from '../helpers/fault-bed.js';
import { assertGatewayHealthy, report, runFault, type FaultFigures } from '../helpers/fault-run.js';
import { request, tykError } from '../helpers/http.js';
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

  it('one worker killed (SIGKILL) in the middle of a call: that call fails closed, a new worker takes its place', async (t) => {
    const { bridgePid, workers } = bed.python();
    assert.equal(workers.length, 2, `workers of bridge ${bridgePid}`);
    // Two calls that hold both workers for 0.7 s (the deadline is 1 s), so the worker killed is in the middle of one.
    const held = () => request(bed.gw.url('/py/held'), { headers: { authorization: PYTHON_TOKEN, 'x-hold': '700' }, timeoutMs: 10_000 }).then((r) => r.status);
    let heldStatuses: number[] = [];
    const victim = workers[0] as number;
    const figures = await runFault(t, bed, {
      fault: 'Python worker SIGKILL in the middle of a call (1 of 2)',
      affected: ['python'],
      holdMs: 0,
      inject: async () => {
        const calls = [held(), held()];
        await sleep(300);
        process.kill(victim, 'SIGKILL');
        heldStatuses = (await Promise.all(calls)).sort();
      },
    });
    report(t, { fault: figures.fault, test: t.fullName, heldCalls: heldStatuses });
    assertFailedClosed(figures);
    assert.deepEqual(heldStatuses, [200, 403], 'the call on the killed worker failed closed, the other one finished');
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

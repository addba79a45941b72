import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { SidecarSupervisor, type SidecarSpec } from '../../coprocess/sidecars/index.js';
import { freePort } from '../helpers/ports.js';
import { captureLogs, dispatch, isAlive, pluginSpec, waitUntil, type LogLine, within } from '../helpers/sidecars.js';
import { tempDir } from '../helpers/tmp.js';

/** Every supervisor a test creates, stopped after the file even when an assertion failed. */
const supervisors: SidecarSupervisor[] = [];
after(() => within(Promise.all(supervisors.map((s) => s.stop())), 20_000, 'stopping every supervisor'));

type Recorded = [event: string, ...args: unknown[]];

function supervise(specs: SidecarSpec[], options: { stableAfterMs?: number } = {}) {
  const logs = captureLogs();
  const supervisor = new SidecarSupervisor(specs, logs.logger, options);
  supervisors.push(supervisor);
  const events: Recorded[] = [];
  supervisor.on('ready', (name) => events.push(['ready', name]));
  supervisor.on('exit', (name, code, signal) => events.push(['exit', name, code, signal]));
  supervisor.on('restart', (name, attempt) => events.push(['restart', name, attempt]));
  return { supervisor, events, ...logs };
}

const exitLines = (lines: LogLine[]) => lines.filter((l) => typeof l['restart_in_ms'] === 'number');
const launchedPids = (lines: LogLine[]) => lines.filter((l) => l.msg === 'sidecar launched').map((l) => l['pid'] as number);

describe('sidecar supervisor: readiness, logs, restarts', { timeout: 60_000 }, () => {
  it('start() waits until the sidecar answers gRPC; status, isReady and nameForAddress tell so; Dispatch works', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const { supervisor, lines } = supervise([pluginSpec('echo', address, ['--ready-delay-ms', '700'])]);
    assert.equal(supervisor.status('echo')?.state, 'stopped');
    assert.equal(supervisor.isReady('echo'), false);

    const began = performance.now();
    await within(supervisor.start(), 20_000, 'start()');
    const took = performance.now() - began;
    assert.ok(took >= 700, `start() resolved after ${Math.round(took)} ms, before the sidecar listened (700 ms)`);

    const status = supervisor.status('echo');
    assert.equal(status?.state, 'ready');
    assert.equal(status.reason, undefined);
    assert.equal(status.restarts, 0);
    assert.ok(typeof status.pid === 'number' && isAlive(status.pid));
    assert.equal(supervisor.isReady('echo'), true);
    assert.equal(supervisor.nameForAddress(address), 'echo');
    assert.equal(supervisor.nameForAddress(`tcp://${address}`), 'echo');
    assert.equal(supervisor.nameForAddress('127.0.0.1:1'), undefined);
    assert.equal(supervisor.status('nope'), undefined);
    assert.equal(supervisor.isReady('nope'), false);
    assert.deepEqual(supervisor.statuses(), [status]);

    // No waiting here: ready means a call goes through now.
    const reply = await dispatch(address, 'MyAuthCheck');
    assert.equal(reply.hook_name, 'MyAuthCheck');
    assert.equal(reply.hook_type, 'CustomKeyCheck');
    assert.deepEqual(reply.metadata, { token: 'abc' });
    const ready = lines.find((l) => l.msg === 'sidecar ready');
    assert.equal(ready?.['sidecar'], 'echo');
    assert.ok((ready['startup_ms'] as number) >= 700);
    await within(supervisor.stop(), 20_000, 'stop()');
  });

  it('serves on a unix socket, and comes back on it after kill -9 (the stale socket file is cleared)', async (t) => {
    const dir = await tempDir();
    t.after(() => dir.remove());
    const address = `unix://${dir.path}/plugin.sock`;
    const { supervisor, events, lines } = supervise([pluginSpec('unixy', address)]);
    await within(supervisor.start(), 20_000, 'start()');
    assert.equal(supervisor.isReady('unixy'), true);
    assert.equal((await dispatch(address, 'first')).hook_name, 'first');
    assert.equal(supervisor.nameForAddress(`unix:${dir.path}/plugin.sock`), 'unixy');

    process.kill(supervisor.status('unixy')?.pid ?? 0, 'SIGKILL');
    await waitUntil(() => events.filter((e) => e[0] === 'ready').length === 2, 10_000, () => `not ready again: ${JSON.stringify(lines)}`);
    assert.equal((await dispatch(address, 'second')).hook_name, 'second');
    assert.ok(lines.some((l) => l.msg === 'removed a stale unix socket left by an earlier run'));
    await within(supervisor.stop(), 20_000, 'stop()');
  });

  it('forwards stdout (info) and stderr (warn) line by line, with the sidecar name and stream', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const { supervisor, waitFor } = supervise([
      pluginSpec('talker', address, ['--print', 'hello from stdout', '--print', 'second line', '--print-stderr', 'trouble on stderr']),
    ]);
    await within(supervisor.start(), 20_000, 'start()');
    const pid = supervisor.status('talker')?.pid;
    const out = await waitFor((l) => l.msg === 'hello from stdout');
    assert.deepEqual([out.level, out['stream'], out['component'], out['sidecar']], [30, 'stdout', 'sidecar', 'talker']);
    assert.equal((await waitFor((l) => l.msg === 'second line'))['stream'], 'stdout');
    const err = await waitFor((l) => l.msg === 'trouble on stderr');
    assert.deepEqual([err.level, err['stream'], err['component'], err['sidecar']], [40, 'stderr', 'sidecar', 'talker']);
    await waitFor((l) => l.msg === `sidecar-plugin pid ${pid}` && l['stream'] === 'stdout');
    await within(supervisor.stop(), 20_000, 'stop()');
  });

  it('kill -9: exit, then restart, then ready with a new pid, and Dispatch works again', async (t) => {
    const address = `127.0.0.1:${await freePort()}`;
    const { supervisor, events, lines } = supervise([pluginSpec('phoenix', address)]);
    await within(supervisor.start(), 20_000, 'start()');
    const oldPid = supervisor.status('phoenix')?.pid ?? 0;
    const seen = events.length;

    const killedAt = performance.now();
    process.kill(oldPid, 'SIGKILL');
    await waitUntil(() => events.slice(seen).some((e) => e[0] === 'ready'), 10_000, () => `no ready after kill: ${JSON.stringify(lines)}`);
    t.diagnostic(`kill -9 to ready again: ${Math.round(performance.now() - killedAt)} ms (100 ms of it backoff)`);

    assert.deepEqual(events.slice(seen), [
      ['exit', 'phoenix', null, 'SIGKILL'],
      ['restart', 'phoenix', 1],
      ['ready', 'phoenix'],
    ]);
    const status = supervisor.status('phoenix');
    assert.equal(status?.state, 'ready');
    assert.equal(status.restarts, 1);
    assert.notEqual(status.pid, oldPid);
    assert.equal(isAlive(oldPid), false);
    const exitLine = lines.find((l) => l['signal'] === 'SIGKILL' && l['restart_in_ms'] === 100);
    assert.equal(exitLine?.msg, 'sidecar killed by SIGKILL; restarting in 100 ms');
    assert.equal((await dispatch(address, 'again')).hook_name, 'again');
    await within(supervisor.stop(), 20_000, 'stop()');
  });

  it('repeated crashes: the delay doubles per crash up to the maximum, and status says why', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const spec = pluginSpec('crashy', address, ['--exit-after-ms', '400', '--exit-code', '3'], { restartBackoffInitialMs: 100, restartBackoffMaxMs: 400 });
    const { supervisor, lines } = supervise([spec]);
    await within(supervisor.start(), 20_000, 'start()');
    await waitUntil(() => exitLines(lines).length >= 4, 15_000, () => `fewer than 4 crashes: ${JSON.stringify(lines)}`);
    const exits = exitLines(lines).slice(0, 4);
    assert.deepEqual(exits.map((l) => l['restart_in_ms']), [100, 200, 400, 400]);
    assert.ok(exits.every((l) => l['reason'] === 'exited with code 3' && l['code'] === 3));

    // The measured gap between a crash and the next launch follows the delay.
    const launches = lines.filter((l) => l.msg === 'sidecar launched').map((l) => Date.parse(String(l['time'])));
    const gaps = exits.slice(0, 3).map((exit, i) => (launches[i + 1] ?? NaN) - Date.parse(String(exit['time'])));
    assert.ok(gaps[0]! >= 95 && gaps[1]! >= 195 && gaps[2]! >= 395, `gaps ${gaps.join(', ')} ms`);
    const status = supervisor.status('crashy');
    if (status?.state !== 'ready') assert.equal(status?.reason, 'exited with code 3');
    await within(supervisor.stop(), 20_000, 'stop()');
  });

  it('a crash after the sidecar stayed ready long enough restarts after the initial delay again', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const spec = pluginSpec('steady', address, ['--exit-after-ms', '900'], { restartBackoffInitialMs: 100, restartBackoffMaxMs: 1000 });
    const { supervisor, lines } = supervise([spec], { stableAfterMs: 300 });
    await within(supervisor.start(), 20_000, 'start()');
    await waitUntil(() => exitLines(lines).length >= 3, 15_000, () => `fewer than 3 crashes: ${JSON.stringify(lines)}`);
    const exits = exitLines(lines).slice(0, 3);
    assert.ok(exits.every((l) => (l['ready_for_ms'] as number) >= 300), JSON.stringify(exits));
    assert.deepEqual(exits.map((l) => l['restart_in_ms']), [100, 100, 100]);
    assert.equal(new Set(launchedPids(lines)).size, launchedPids(lines).length);
    await within(supervisor.stop(), 20_000, 'stop()');
  });
});

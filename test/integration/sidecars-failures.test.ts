import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SidecarSupervisor, type SidecarSpec } from '../../coprocess/sidecars/index.js';
import { freePort } from '../helpers/ports.js';
import { captureLogs, isAlive, pluginSpec, SIDECAR_PARENT, waitUntil, within } from '../helpers/sidecars.js';
import { tempDir } from '../helpers/tmp.js';

const supervisors: SidecarSupervisor[] = [];
after(() => within(Promise.all(supervisors.map((s) => s.stop())), 20_000, 'stopping every supervisor'));

function supervise(specs: SidecarSpec[]) {
  const logs = captureLogs();
  const supervisor = new SidecarSupervisor(specs, logs.logger);
  supervisors.push(supervisor);
  const events: unknown[][] = [];
  supervisor.on('ready', (name) => events.push(['ready', name]));
  supervisor.on('exit', (name, code, signal) => events.push(['exit', name, code, signal]));
  supervisor.on('restart', (name, attempt) => events.push(['restart', name, attempt]));
  return { supervisor, events, ...logs };
}

describe('sidecar supervisor: failures, stopping, orphans', { timeout: 60_000 }, () => {
  it('a command that does not exist: a clear error, state backoff, and a few attempts in 2 s, not a busy loop', async () => {
    const spec = pluginSpec('ghost', '127.0.0.1:1', [], { command: 'hookgate-no-such-command', args: [], restartBackoffInitialMs: 200, restartBackoffMaxMs: 10_000 });
    const { supervisor, lines } = supervise([spec]);
    await within(supervisor.start(), 20_000, 'start()');
    // start() waits for the first attempt only: it resolves with no restart made yet (restarts: 0).
    assert.deepEqual(supervisor.status('ghost'), {
      name: 'ghost', state: 'backoff', pid: undefined, restarts: 0, reason: 'command not found: hookgate-no-such-command',
    });
    const first = lines.find((l) => l.level === 50);
    assert.equal(first?.msg, 'sidecar cannot start: command not found: hookgate-no-such-command; retrying in 200 ms');
    assert.equal(first['sidecar'], 'ghost');
    assert.equal(first['command'], 'hookgate-no-such-command');

    await sleep(2000);
    const attempts = lines.filter((l) => l.level === 50);
    // 200, 400, 800 ms apart: attempts at 0, 0.2, 0.6 and 1.4 s.
    assert.ok(attempts.length >= 3 && attempts.length <= 5, `${attempts.length} attempts in 2 s`);
    assert.deepEqual(attempts.slice(0, 3).map((l) => l['restart_in_ms']), [200, 400, 800]);
    assert.equal(supervisor.status('ghost')?.state, 'backoff');

    const stopping = performance.now();
    await within(supervisor.stop(), 20_000, 'stop()');
    assert.ok(performance.now() - stopping < 1000, 'stop() during backoff does not wait for the next delay (1.6 s or more by now)');
    assert.equal(supervisor.status('ghost')?.state, 'stopped');
  });

  it('a command that is not executable, or a working folder that does not exist, is named in the reason', async (t) => {
    const dir = await tempDir();
    t.after(() => dir.remove());
    const script = await dir.write('not-executable.sh', '#!/bin/sh\necho hi\n');
    const { supervisor } = supervise([
      pluginSpec('noexec', '127.0.0.1:1', [], { command: script, args: [] }),
      pluginSpec('nowhere', '127.0.0.1:2', [], { cwd: `${dir.path}/missing` }),
    ]);
    await within(supervisor.start(), 20_000, 'start()');
    assert.equal(supervisor.status('noexec')?.reason, `command not executable: ${script}`);
    assert.equal(supervisor.status('nowhere')?.reason, `working folder not found: ${dir.path}/missing`);
    await within(supervisor.stop(), 20_000, 'stop()');
  });

  it('stop() with a sidecar that ignores SIGTERM: SIGKILL after the grace period, resolves, no restart', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const { supervisor, events, lines, waitFor } = supervise([pluginSpec('stubborn', address, ['--ignore-sigterm'], { stopGraceMs: 600 })]);
    await within(supervisor.start(), 20_000, 'start()');
    const pid = supervisor.status('stubborn')?.pid ?? 0;
    assert.ok(isAlive(pid));
    const seen = events.length;

    const began = performance.now();
    await within(supervisor.stop(), 20_000, 'stop()');
    const took = performance.now() - began;
    assert.ok(took >= 590 && took < 3000, `stop() took ${Math.round(took)} ms with a 600 ms grace period`);
    assert.equal(isAlive(pid), false);
    await waitFor((l) => l.msg === 'ignoring SIGTERM', 2000);
    assert.ok(lines.some((l) => l.msg === 'sidecar still running 600 ms after SIGTERM; sent SIGKILL'));
    assert.deepEqual(supervisor.status('stubborn'), { name: 'stubborn', state: 'stopped', pid: undefined, restarts: 0, reason: 'stopped' });

    await sleep(500);
    assert.deepEqual(events.slice(seen), [['exit', 'stubborn', null, 'SIGKILL']]);
    assert.equal(lines.filter((l) => l.msg === 'sidecar launched').length, 1);
  });

  it('stop() with a well-behaved sidecar returns as soon as it exits on SIGTERM', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const { supervisor, lines } = supervise([pluginSpec('polite', address, [], { stopGraceMs: 5000 })]);
    await within(supervisor.start(), 20_000, 'start()');
    const began = performance.now();
    await within(supervisor.stop(), 20_000, 'stop()');
    assert.ok(performance.now() - began < 2000);
    const stopped = lines.find((l) => l.msg === 'sidecar stopped');
    assert.deepEqual([stopped?.['code'], stopped?.['signal']], [0, null]);
  });

  it('a sidecar that is not ready within ready_timeout_ms is killed, counted as failed, and retried', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const spec = pluginSpec('sleepy', address, ['--ready-delay-ms', '60000'], { readyTimeoutMs: 600, restartBackoffInitialMs: 100 });
    const { supervisor, events, lines } = supervise([spec]);
    const began = performance.now();
    await within(supervisor.start(), 20_000, 'start()');
    const took = performance.now() - began;
    assert.ok(took >= 590 && took < 2500, `start() took ${Math.round(took)} ms with a 600 ms ready timeout`);
    assert.equal(supervisor.isReady('sleepy'), false);
    assert.equal(supervisor.status('sleepy')?.reason, 'not ready within 600 ms');

    await waitUntil(() => lines.filter((l) => l.msg === 'sidecar launched').length >= 2, 5000, 'no second launch');
    const [firstPid, secondPid] = lines.filter((l) => l.msg === 'sidecar launched').map((l) => l['pid'] as number);
    assert.ok(firstPid !== undefined && secondPid !== undefined && firstPid !== secondPid);
    assert.equal(isAlive(firstPid), false);
    assert.deepEqual(events.slice(0, 2), [['exit', 'sleepy', null, 'SIGKILL'], ['restart', 'sleepy', 1]]);
    const failed = lines.find((l) => l['reason'] === 'not ready within 600 ms');
    assert.equal(failed?.['restart_in_ms'], 100);
    await within(supervisor.stop(), 20_000, 'stop()');
    assert.equal(isAlive(secondPid), false);
  });

  it('no orphan: when the parent is killed with SIGKILL, the kernel kills the sidecar', async (t) => {
    if (!existsSync('/usr/bin/setpriv')) {
      t.skip('needs /usr/bin/setpriv (Linux, util-linux)');
      return;
    }
    const address = `127.0.0.1:${await freePort()}`;
    const parent = spawn(process.execPath, [SIDECAR_PARENT, address], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    parent.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    parent.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let sidecarPid: number | undefined;
    try {
      const line = await waitUntil(() => stdout.split('\n').find((l) => l.startsWith('{')), 15_000, () => `parent printed no pid; stderr: ${stderr}`);
      sidecarPid = (JSON.parse(line) as { sidecarPid: number }).sidecarPid;
      assert.ok(isAlive(sidecarPid));
      // setpriv exec'd the plugin: the pid is the plugin itself, a direct child of the parent.
      assert.match(readFileSync(`/proc/${sidecarPid}/cmdline`, 'utf8'), /sidecar-plugin\.js/);

      parent.kill('SIGKILL');
      const began = performance.now();
      await waitUntil(() => !isAlive(sidecarPid ?? 0), 3000, `sidecar ${sidecarPid} outlived its parent`);
      t.diagnostic(`sidecar gone ${Math.round(performance.now() - began)} ms after the parent was killed`);
    } finally {
      if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
      if (sidecarPid !== undefined && isAlive(sidecarPid)) process.kill(sidecarPid, 'SIGKILL');
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { SidecarSupervisor, type SidecarSpec } from '../../coprocess/sidecars/index.js';

const silent = pino({ level: 'silent' });

const spec = (name: string, overrides: Partial<SidecarSpec> = {}): SidecarSpec => ({
  name,
  command: 'plugin-server',
  args: [],
  env: {},
  cwd: '/',
  address: `127.0.0.1:${5000 + name.length}`,
  readyTimeoutMs: 1000,
  stopGraceMs: 1000,
  restartBackoffInitialMs: 100,
  restartBackoffMaxMs: 1000,
  ...overrides,
});

describe('SidecarSupervisor without launching anything', () => {
  it('refuses inconsistent specs, naming every problem', () => {
    assert.throws(
      () =>
        new SidecarSupervisor(
          [
            spec('a', { address: 'tcp://127.0.0.1:7000' }),
            spec('a', { address: '127.0.0.1:7000', restartBackoffInitialMs: 0 }),
            spec('b', { restartBackoffInitialMs: 500, restartBackoffMaxMs: 100, stopGraceMs: -1 }),
          ],
          silent,
        ),
      (err: Error) => {
        assert.match(err.message, /sidecar "a" is declared twice/);
        assert.match(err.message, /address 127\.0\.0\.1:7000 is already the address of sidecar "a"/);
        assert.match(err.message, /restartBackoffInitialMs must be a positive number of milliseconds, got 0/);
        assert.match(err.message, /sidecar "b": restartBackoffMaxMs \(100\) is below restartBackoffInitialMs \(500\)/);
        assert.match(err.message, /sidecar "b": stopGraceMs must be zero or more milliseconds, got -1/);
        return true;
      },
    );
  });

  it('reports every sidecar as stopped before start, and stop() without start() resolves at once', async () => {
    const supervisor = new SidecarSupervisor([spec('a'), spec('bb', { address: 'unix:/run/p.sock' })], silent);
    assert.deepEqual(
      supervisor.statuses().map((s) => [s.name, s.state, s.pid, s.restarts, s.reason]),
      [
        ['a', 'stopped', undefined, 0, 'not started'],
        ['bb', 'stopped', undefined, 0, 'not started'],
      ],
    );
    assert.equal(supervisor.nameForAddress('unix:///run/p.sock'), 'bb');
    assert.equal(supervisor.nameForAddress('unix:/run/p.sock'), 'bb');
    await supervisor.stop();
    await supervisor.start();
    assert.equal(supervisor.status('a')?.state, 'stopped', 'a stopped supervisor launches nothing');
  });
});

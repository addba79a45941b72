import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PYTHON_RUNTIME_DIR } from '../../coprocess/index.js';
import { connect, hookRequest } from '../../sdk/testing/index.js';
import { CLI } from '../helpers/gateway-process.js';
import { requireProgram } from '../helpers/programs.js';
import { PYTHON_AUTH_BUNDLE, TUTORIAL_KEY, until } from '../helpers/python.js';

/**
 * Every CPython 3.8+ this machine has: python3, python3.N on PATH, and pyenv's versions. The
 * runtime promises 3.8 to 3.13 (no `imp`, standard library only); each one found is tested.
 */
function interpreters(): Map<string, string> {
  const found = new Map<string, string>();
  const add = (exe: string) => {
    const run = spawnSync(exe, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3]) if sys.version_info >= (3, 8) else None'], { encoding: 'utf8' });
    const version = run.status === 0 ? run.stdout.trim() : '';
    if (version !== '' && !found.has(version)) found.set(version, exe);
  };
  add('python3');
  for (let minor = 8; minor <= 14; minor++) add(`python3.${minor}`);
  const pyenv = join(process.env['PYENV_ROOT'] ?? join(homedir(), '.pyenv'), 'versions');
  if (existsSync(pyenv)) for (const name of readdirSync(pyenv).sort()) if (existsSync(join(pyenv, name, 'bin', 'python3'))) add(join(pyenv, name, 'bin', 'python3'));
  return found;
}

describe('the Python runtime on every CPython found (3.8 and newer)', () => {
  it('passes its unit tests and serves the tutorial plugin through a real bridge', async (t) => {
    if (!requireProgram(t, 'python3', 'apt-get install python3')) return;
    const versions = interpreters();
    t.diagnostic(`interpreters: ${[...versions.keys()].join(', ')}`);
    for (const [version, exe] of versions) {
      const unit = spawnSync(exe, ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'], { cwd: PYTHON_RUNTIME_DIR, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
      assert.equal(unit.status, 0, `Python ${version} unit tests:\n${unit.stderr}`);

      const bridge = spawn(process.execPath, [CLI, 'python-bridge', '--bundle', PYTHON_AUTH_BUNDLE, '--listen', '127.0.0.1:0', '--workers', '1', '--python', exe], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      bridge.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      bridge.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      try {
        const port = await until(() => {
          if (bridge.exitCode !== null) throw new Error(`the bridge on Python ${version} exited: ${out}`);
          return /"msg":"python bridge ready"/.test(out) && Number(/"port":(\d+)/.exec(out)?.[1]);
        }, 30_000, `the bridge on Python ${version}`);
        assert.match(out, new RegExp(`"python":"${version.replace(/\./g, '\\.')}"`));
        const client = await connect(`127.0.0.1:${port}`);
        try {
          const good = await client.call('MyAuthMiddleware', hookRequest().header('Authorization', TUTORIAL_KEY), { kind: 'auth_check' });
          assert.equal(good.allowed, true, `Python ${version}`);
          assert.equal(good.session?.rate, 1000);
          const bad = await client.call('MyAuthMiddleware', hookRequest().header('Authorization', 'bad'), { kind: 'auth_check' });
          assert.equal(bad.status, 403);
        } finally {
          await client.close();
        }
      } finally {
        bridge.kill('SIGTERM');
        await new Promise((resolve) => (bridge.exitCode === null ? bridge.once('exit', resolve) : resolve(undefined)));
      }
    }
  });
});

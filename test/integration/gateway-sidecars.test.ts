import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { coprocessConfig, pluginApi } from '../helpers/apis.js';
import { startGatewayProcess } from '../helpers/gateway-process.js';
import { request, tykError } from '../helpers/http.js';
import { SIDECAR_PLUGIN, sidecarPids } from '../helpers/sidecars.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream } from '../helpers/upstream.js';

const TOKEN = 'sidecar-token';

/** Alive and not a zombie (this machine's init may not reap orphans). */
function running(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await sleep(25);
  }
}

async function gatewayWithSidecar(command: string, args: string[]) {
  const dir = await tempDir();
  const address = `unix://${join(dir.path, 'auth.sock')}`;
  const up = await startUpstream();
  const gw = await startGatewayProcess({
    readyTimeoutMs: 30_000,
    config: coprocessConfig('sidecar:auth', {
      dispatch_timeout_ms: 1000,
      sidecars: [{ name: 'auth', command, args: [...args, '--address', address], address, restart_backoff_initial_ms: 100, restart_backoff_max_ms: 500, stop_grace_ms: 1000 }],
    }),
    apis: { 'a.json': pluginApi('sidecar-api', '/auth/', up.origin, { auth_check: { name: 'Auth' } }) },
  });
  return {
    gw,
    async close() {
      await gw.stop();
      await up.close();
      await dir.remove();
    },
  };
}

describe('sidecars launched by the gateway', () => {
  it('authenticate through the sidecar; after kill -9 nothing passes unauthenticated and it recovers without a restart', async (t) => {
    const { gw, close } = await gatewayWithSidecar(process.execPath, [SIDECAR_PLUGIN, '--accept-token', TOKEN]);
    try {
      assert.equal((await request(gw.url('/auth/x'), { headers: { authorization: TOKEN } })).status, 200);
      assert.equal((await request(gw.url('/auth/x'), { headers: { authorization: 'bad' } })).status, 403);
      const hello = (await request(gw.url('/hello'))).json() as { details: Record<string, { status: string }> };
      assert.equal(hello.details['sidecar:auth']?.status, 'pass');

      const [pid] = sidecarPids(gw);
      assert.ok(pid !== undefined && running(pid));
      const outcomes = { good: new Map<number, number>(), bad: new Map<number, number>() };
      let stop = false;
      const load = async (token: string, tally: Map<number, number>) => {
        while (!stop) {
          const status = await request(gw.url('/auth/load'), { headers: { authorization: token } }).then((r) => r.status, () => 0);
          tally.set(status, (tally.get(status) ?? 0) + 1);
        }
      };
      const workers = [load(TOKEN, outcomes.good), load(TOKEN, outcomes.good), load('bad', outcomes.bad), load('bad', outcomes.bad)];
      await sleep(300);
      process.kill(pid, 'SIGKILL');
      const killedAt = Date.now();
      await gw.waitForLog((l) => l.msg === 'hook failed; request refused' && String(l['err']).includes('sidecar "auth" is not ready'), 10_000);
      await until(() => sidecarPids(gw).length > 1 && sidecarPids(gw).at(-1), 15_000, 'a new sidecar process');
      await until(async () => (await request(gw.url('/auth/x'), { headers: { authorization: TOKEN } })).status === 200, 15_000, 'authentication to work again');
      const recoveredMs = Date.now() - killedAt;
      await sleep(200);
      stop = true;
      await Promise.all(workers);

      assert.deepEqual([...outcomes.bad.keys()].filter((s) => s !== 403), [], `a bad token got ${JSON.stringify([...outcomes.bad])}`);
      assert.ok((outcomes.good.get(403) ?? 0) > 0, 'while the sidecar was down, good tokens were refused (fail closed)');
      assert.ok((outcomes.good.get(200) ?? 0) > 0);
      assert.deepEqual([...outcomes.good.keys()].filter((s) => s !== 200 && s !== 403), [], `unexpected statuses ${JSON.stringify([...outcomes.good])}`);
      const metrics = (await request(gw.url('/metrics'))).text();
      assert.match(metrics, /hookgate_sidecar_restarts_total\{sidecar="auth"\} [1-9]/);
      assert.match(metrics, /hookgate_sidecar_ready\{sidecar="auth"\} 1/);
      t.diagnostic(`sidecar recovered ${recoveredMs} ms after kill -9; good-token outcomes ${JSON.stringify([...outcomes.good])}`);
    } finally {
      await close();
    }
  });

  it('a sidecar whose command does not exist: the gateway serves, its hooks fail closed with the reason, no busy loop', async () => {
    const { gw, close } = await gatewayWithSidecar('/nonexistent/plugin-binary', []);
    try {
      const res = await request(gw.url('/auth/x'), { headers: { authorization: TOKEN } });
      assert.equal(res.status, 403);
      assert.equal(res.text(), tykError('Key not authorised'));
      const hello = (await request(gw.url('/hello'))).json() as { status: string; details: Record<string, { status: string; output?: string }> };
      assert.equal(hello.status, 'warn');
      assert.match(hello.details['sidecar:auth']?.output ?? '', /command not found/);
      await sleep(1500);
      const attempts = gw.logs.filter((l) => l['sidecar'] === 'auth' && /command not found/.test(JSON.stringify(l))).length;
      assert.ok(attempts >= 1 && attempts <= 8, `${attempts} start attempts in ~2 s`);
    } finally {
      await close();
    }
  });

  it('stops the sidecar on SIGTERM, and the kernel stops it when the gateway is killed with SIGKILL', async () => {
    const first = await gatewayWithSidecar(process.execPath, [SIDECAR_PLUGIN]);
    const [pid] = sidecarPids(first.gw);
    assert.ok(pid !== undefined && running(pid));
    const { code } = await first.gw.stop();
    assert.equal(code, 0);
    await until(() => !running(pid), 5000, 'the sidecar to stop after SIGTERM');
    await first.close();

    const second = await gatewayWithSidecar(process.execPath, [SIDECAR_PLUGIN]);
    const [orphan] = sidecarPids(second.gw);
    assert.ok(orphan !== undefined && running(orphan));
    second.gw.child.kill('SIGKILL');
    await until(() => !running(orphan), 5000, 'the sidecar to die with its gateway');
    await second.close();
  });
});

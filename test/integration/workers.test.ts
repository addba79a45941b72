import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { coprocessConfig, keylessApi, pluginApi } from '../helpers/apis.js';
import { control, keySession, SECRET } from '../helpers/control.js';
import { runCli, spawnGateway, type GatewayProcess, type LogLine } from '../helpers/gateway-process.js';
import { request } from '../helpers/http.js';
import { requireProgram } from '../helpers/programs.js';
import { SIDECAR_PLUGIN } from '../helpers/sidecars.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream } from '../helpers/upstream.js';

const ORG = 'org1';

/**
 * `hookgate start --workers <n>` on Redis with a keyless API, a token API and `apis`; resolves
 * once every worker serves. `config` is merged into tyk.conf; `$DIR` in it is the config's folder.
 */
async function startWorkers(redis: RedisServer, upstream: string, workers: string, config: Record<string, unknown> = {}, apis: Record<string, unknown> = {}): Promise<GatewayProcess> {
  const dir = await tempDir();
  const extra = JSON.parse(JSON.stringify(config).replaceAll('$DIR', dir.path)) as Record<string, unknown>;
  await dir.write('tyk.conf', { listen_address: '127.0.0.1', listen_port: 0, app_path: 'apps', log_format: 'json', secret: SECRET, storage: { type: 'redis', host: '127.0.0.1', port: redis.port }, ...extra });
  await dir.write('apps/open.json', keylessApi('open', '/open/', upstream));
  await dir.write('apps/k.json', { ...keylessApi('k', '/k/', upstream), org_id: ORG, use_keyless: false });
  for (const [name, api] of Object.entries(apis)) await dir.write(join('apps', name), api);
  const gw = await spawnGateway(dir, ['start', '--conf', join(dir.path, 'tyk.conf'), '--workers', workers], 30_000);
  await gw.waitForLog((l) => l.msg === 'workers listening', 30_000);
  return gw;
}

/**
 * Runs `body` against `hookgate start --workers 2` on a fresh redis-server and upstream, and
 * cleans up (a primary still running is killed: its workers exit with it). Skipped without redis-server.
 */
async function withWorkers(t: TestContext, body: (gw: GatewayProcess) => Promise<void>, config: Record<string, unknown> = {}, apis: (upstream: string) => Record<string, unknown> = () => ({})): Promise<void> {
  if (!requireProgram(t, 'redis-server', 'apt-get install redis-server')) return;
  const redis = await startRedis();
  const up = await startUpstream();
  let gw: GatewayProcess | undefined;
  try {
    gw = await startWorkers(redis, up.origin, '2', config, apis(up.origin));
    await body(gw);
  } finally {
    if (gw !== undefined && gw.child.exitCode === null && gw.child.signalCode === null) await gw.stop('SIGKILL');
    await up.close();
    await redis.stop();
  }
}

/** Which worker answered each of `count` requests, each on a fresh connection. */
async function answeredBy(gw: GatewayProcess, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await request(gw.url('/hello'));
    assert.equal(res.status, 200);
    ids.push(String(res.headers['x-hookgate-worker']));
  }
  return ids;
}

const workerPids = (gw: GatewayProcess): Map<string, number> => {
  const pids = new Map<string, number>();
  for (const l of gw.logs) if (l.msg === 'worker listening') pids.set(String(l['worker']), l['worker_pid'] as number);
  return pids;
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const reloadedBy = (worker: string) => (l: LogLine) => l.msg === 'API definitions reloaded' && l['worker'] === worker;

describe('hookgate start --workers', () => {
  it('refuses bad values and the in-memory store with a clear error', async () => {
    for (const bad of ['0', '-1', 'two', '1.5', '65']) {
      const res = await runCli(['start', `--workers=${bad}`]);
      assert.equal(res.code, 2, bad);
      assert.match(res.stderr, /--workers takes a whole number from 1 to 64 or "auto"/, bad);
    }
    const dir = await tempDir();
    try {
      await dir.write('tyk.conf', { listen_port: 0, app_path: 'apps' });
      await dir.write('apps/.keep', '');
      const res = await runCli(['start', '--conf', join(dir.path, 'tyk.conf'), '--workers', '2']);
      assert.equal(res.code, 1);
      assert.match(res.stderr, /--workers 2 needs shared storage, and this config uses the in-memory store/);
      assert.match(res.stderr, /a limit of 100 would let 200 through/);
    } finally {
      await dir.remove();
    }
  });

  it('two workers share the port, each gets traffic, /metrics sums them, SIGHUP and the control API reload both, a killed worker is replaced, SIGTERM stops all', async (t) => {
    await withWorkers(t, async (gw) => {
      assert.deepEqual(new Set(await answeredBy(gw, 8)), new Set(['1', '2']), 'connections go to both workers in turn');
      for (let i = 0; i < 6; i++) assert.equal((await request(gw.url('/open/x'))).status, 200);
      // /metrics sums every worker's counters, whichever worker the scrape reaches.
      for (let i = 0; i < 2; i++) {
        const scrape = await request(gw.url('/metrics'));
        assert.equal(scrape.status, 200);
        assert.match(scrape.text(), /hookgate_http_requests_total\{api_id="open",code="200"\} 6\n/, scrape.text().slice(0, 2000));
      }

      process.kill(gw.pid, 'SIGHUP');
      await Promise.all([gw.waitForLog(reloadedBy('1')), gw.waitForLog(reloadedBy('2'))]);

      // The control API lands on one worker; the primary has the other reload too.
      const before = gw.logs.filter((l) => l.msg === 'API definitions reloaded').length;
      assert.equal((await control(gw.url(''), 'GET', '/tyk/reload/group?block=true')).status, 200);
      const deadline = Date.now() + 10_000;
      while (gw.logs.filter((l) => l.msg === 'API definitions reloaded').length < before + 2 && Date.now() < deadline) await sleep(50);
      assert.equal(gw.logs.filter((l) => l.msg === 'API definitions reloaded').length, before + 2);

      const first = workerPids(gw);
      const victim = first.get('1');
      assert.ok(victim !== undefined);
      process.kill(victim, 'SIGKILL');
      await gw.waitForLog((l) => l.msg === 'worker exited: starting a new one' && l['worker'] === 1 && l['signal'] === 'SIGKILL');
      // The other worker answers while the replacement starts.
      for (let i = 0; i < 4; i++) assert.equal((await request(gw.url('/open/x'))).status, 200);
      await gw.waitForLog((l) => l.msg === 'worker listening' && l['worker'] === 1 && l['worker_pid'] !== victim, 30_000);
      assert.deepEqual(new Set(await answeredBy(gw, 8)), new Set(['1', '2']), 'the replacement takes traffic');

      const pids = [...workerPids(gw).values()];
      assert.equal(pids.length, 2);
      const { code } = await gw.stop('SIGTERM');
      assert.equal(code, 0);
      assert.ok(gw.logs.some((l) => l.msg === 'every worker stopped'));
      for (const pid of pids) assert.equal(alive(pid), false, `worker ${pid} left running`);
    });
  });

  it('a rate limit on Redis is one limit across workers: 5 of 20 requests pass a rate of 5 per 10 s; a killed primary leaves no worker', async (t) => {
    await withWorkers(t, async (gw) => {
      assert.equal((await control(gw.url(''), 'POST', '/tyk/keys/shared-rate', keySession('k', ORG, { rate: 5, per: 10 }))).status, 200);
      const results = await Promise.all(Array.from({ length: 20 }, () => request(gw.url('/k/x'), { headers: { authorization: 'shared-rate' } })));
      const statuses = results.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 200).length, 5, JSON.stringify(statuses));
      assert.equal(statuses.filter((s) => s === 429).length, 15);
      // Both workers took part (their access lines carry their pids; lines are written in batches).
      const accessLines = () => gw.logs.filter((l) => l['component'] === 'access' && l['api_id'] === 'k').length;
      const deadline = Date.now() + 5_000;
      while (accessLines() < 20 && Date.now() < deadline) await sleep(50);
      const servedBy = new Set(gw.logs.filter((l) => l['component'] === 'access' && l['api_id'] === 'k').map((l) => l['pid']));
      assert.equal(servedBy.size, 2, 'requests reached both workers');

      // A primary killed outright leaves no worker behind: each exits when its channel closes.
      const pids = [...workerPids(gw).values()];
      await gw.stop('SIGKILL');
      const gone = Date.now() + 10_000;
      while (pids.some(alive) && Date.now() < gone) await sleep(50);
      assert.deepEqual(pids.filter(alive), [], 'workers left running after the primary was killed');
    });
  });

  it('a sidecar is launched once, by the primary, serves every worker, is restarted by the primary and stopped with the gateway', async (t) => {
    const token = 'workers-sidecar-token';
    const address = 'unix://$DIR/auth.sock';
    const sidecar = { name: 'auth', command: process.execPath, args: [SIDECAR_PLUGIN, '--accept-token', token, '--address', address], address, restart_backoff_initial_ms: 100, restart_backoff_max_ms: 500, stop_grace_ms: 1000 };
    const config = coprocessConfig('sidecar:auth', { dispatch_timeout_ms: 1000, sidecars: [sidecar] });
    const apis = (upstream: string) => ({ 'p.json': pluginApi('plugin', '/auth/', upstream, { auth_check: { name: 'Auth' } }) });
    await withWorkers(t, async (gw) => {
      const sidecarPids = () =>
        gw.logs.filter((l) => l['component'] === 'sidecar' && typeof l.msg === 'string' && l.msg.startsWith('sidecar-plugin pid ')).map((l) => Number(l.msg.slice('sidecar-plugin pid '.length)));
      const statuses = async (key: string) => {
        const seen = new Map<string, number>();
        for (let i = 0; i < 6; i++) {
          const res = await request(gw.url('/auth/x'), { headers: { authorization: key } });
          seen.set(String(res.status), (seen.get(String(res.status)) ?? 0) + 1);
        }
        return Object.fromEntries(seen);
      };
      assert.deepEqual(await statuses(token), { '200': 6 }, 'both workers authenticate through the one sidecar');
      assert.deepEqual(await statuses('bad'), { '403': 6 });
      assert.equal(sidecarPids().length, 1, 'one sidecar for two workers');
      const [pid] = sidecarPids();
      assert.ok(pid !== undefined);

      process.kill(pid, 'SIGKILL');
      const deadline = Date.now() + 15_000;
      while (sidecarPids().length < 2 && Date.now() < deadline) await sleep(25);
      assert.equal(sidecarPids().length, 2, 'the primary restarted the sidecar');
      let ok = false;
      while (!ok && Date.now() < deadline) ok = (await request(gw.url('/auth/x'), { headers: { authorization: token } })).status === 200 || (await sleep(50), false);
      assert.ok(ok, 'authentication works again after the restart');

      const latest = sidecarPids().at(-1);
      assert.ok(latest !== undefined);
      assert.equal((await gw.stop()).code, 0);
      assert.equal(alive(latest), false, 'the sidecar stopped with the gateway');
    }, config, apis);
  });

  it('a worker that cannot start (its port is taken) stops the gateway with exit 1, no restart loop', async (t) => {
    if (!requireProgram(t, 'redis-server', 'apt-get install redis-server')) return;
    const redis = await startRedis();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const dir = await tempDir();
    try {
      const port = (taken.address() as AddressInfo).port;
      await dir.write('tyk.conf', { listen_address: '127.0.0.1', listen_port: port, app_path: 'apps', log_format: 'json', storage: { type: 'redis', host: '127.0.0.1', port: redis.port } });
      await dir.write('apps/.keep', '');
      const res = await runCli(['start', '--conf', join(dir.path, 'tyk.conf'), '--workers', '2'], 30_000);
      assert.equal(res.code, 1, res.stdout + res.stderr);
      assert.match(res.stdout, /a worker failed to start: the gateway stops/);
      assert.match(res.stdout, /the port is already in use/);
      assert.doesNotMatch(res.stdout, /starting a new one/);
    } finally {
      taken.close();
      await dir.remove();
      await redis.stop();
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { CoprocessObject__Output } from '../../coprocess/protocol/index.js';
import { coprocessConfig, pluginApi } from '../helpers/apis.js';
import { basicHeader, nothingLoggedAfterShutdown, useBypassBed } from '../helpers/bypass.js';
import { control, keySession, SECRET } from '../helpers/control.js';
import { startGrpcPlugin, type GrpcPlugin } from '../helpers/grpc-plugin.js';
import { customAuth, GRPC_PLUGINS, oasApi, SCHEMES } from '../helpers/oas.js';
import { freePort } from '../helpers/ports.js';
import { SIDECAR_PLUGIN, sidecarPids } from '../helpers/sidecars.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';

/**
 * Auth bypass corpus, plugin auth: a compliant-mode API whose first alternative half-succeeds
 * (the plugin accepts and changes the request, the key that must go with it is wrong), and an
 * `auth_check` plugin that errors, times out, was never started or was killed: each fails closed.
 */
const ORG = 'org1';
const FAR = Math.floor(Date.now() / 1000) + 86_400;
const PLUGIN_TOKEN = 'plug-half-factor-6a2d';
const USER = 'carol-bypass';
const PASSWORD = 'carol-password-77e1';
const SIDECAR_TOKEN = 'sidecar-bypass-token-31f0';

describe('auth bypass corpus: compliant mode, first alternative half-succeeds', () => {
  let plugin: GrpcPlugin;
  before(async () => {
    plugin = await startGrpcPlugin({
      // The first factor: accepts its token, adds a header and a session (rate 2) with metadata.
      Auth: (o: CoprocessObject__Output) => {
        const credential = o.request?.headers['X-Plugin'] ?? '';
        if (credential !== PLUGIN_TOKEN) return o;
        o.request = { ...o.request, set_headers: { 'X-Plugin-User': 'half-factor-user' } } as never;
        o.session = { rate: 2, per: 60, expires: FAR, metadata: { token: credential, plugin_said: 'first-alternative' } } as never;
        o.metadata = { token: credential };
        return o;
      },
    });
  });
  after(() => plugin?.stop());
  const handle = useBypassBed((up) => ({
    redis: true,
    config: { secret: SECRET, ...coprocessConfig(plugin.address) },
    apis: {
      'or.json': oasApi('or', '/or/', up.origin, {
        orgId: ORG,
        components: { api_key: SCHEMES.api_key, basic_auth: SCHEMES.basic_auth },
        authentication: {
          securityProcessingMode: 'compliant',
          // Plugin AND key, or basic auth.
          security: [['custom', 'api_key'], ['basic_auth']],
          custom: customAuth('Auth'),
          securitySchemes: { api_key: { enabled: true }, basic_auth: { enabled: true } },
        },
        middleware: GRPC_PLUGINS,
      }),
    },
  }));
  const bed = () => handle.bed;
  let made: Promise<void> | undefined;
  const user = () =>
    (made ??= (async () => {
      const res = await control(bed().gw.url(''), 'POST', `/tyk/keys/${USER}`, keySession('or', ORG, { rate: 7, per: 60, basic_auth_data: { password: PASSWORD } }));
      assert.equal(res.status, 200, res.text());
    })());
  const redisKeys = async () => {
    const redis = new Redis({ host: '127.0.0.1', port: bed().redisPort ?? 0, lazyConnect: true });
    try {
      await redis.connect();
      return (await redis.keys('*')).sort();
    } finally {
      redis.disconnect();
    }
  };

  it('plugin accepts, key wrong, basic wrong: 401 User not authorised (the last alternative\'s error); nothing written to Redis', async (t) => {
    if (handle.skip(t)) return;
    await user();
    const before = await redisKeys();
    const calls = plugin.received.length;
    const wrongBasic = basicHeader(USER, 'not-carols-password');
    const res = await bed().refused({
      path: '/or/half-1',
      headers: { 'x-plugin': PLUGIN_TOKEN, 'x-api-key': 'wrong-key-9d8c', authorization: wrongBasic },
      secrets: [PLUGIN_TOKEN, 'wrong-key-9d8c', wrongBasic.slice(6), 'not-carols-password'],
      status: 401,
      error: 'User not authorised',
    });
    assert.equal(plugin.received.length, calls + 1, 'the first factor ran (and passed)');
    assert.equal(res.headers['x-plugin-user'], undefined);
    assert.deepEqual(await redisKeys(), before, 'no session, counter or cache entry was written');
    const stored = await control(bed().gw.url(''), 'GET', `/tyk/keys/${PLUGIN_TOKEN}`);
    assert.equal(stored.status, 404, 'the half-successful plugin session was not saved');
  });

  it('plugin accepts, key missing, basic right: 200 with nothing of the first alternative (header, session, rate limit, metadata)', async (t) => {
    if (handle.skip(t)) return;
    await user();
    const arrived = bed().up.received.length;
    const res = await bed().send({
      path: '/or/half-2',
      headers: { 'x-plugin': PLUGIN_TOKEN, authorization: basicHeader(USER, PASSWORD) },
      secrets: [PLUGIN_TOKEN, basicHeader(USER, PASSWORD).slice(6), PASSWORD],
    });
    assert.equal(res.status, 200, res.text());
    const upstream = bed().up.received[arrived];
    assert.ok(upstream !== undefined, 'the request arrived');
    assert.equal(upstream.headers['x-plugin-user'], undefined, 'the header the failed alternative set did not survive');
    assert.equal(res.headers['x-ratelimit-limit'], '7', 'the basic user\'s rate limit, not the plugin session\'s (2)');
    const stored = (await control(bed().gw.url(''), 'GET', `/tyk/keys/${ORG}${USER}`)).json() as { meta_data?: Record<string, unknown> };
    assert.equal(JSON.stringify(stored.meta_data ?? {}).includes('first-alternative'), false, 'no plugin metadata in the basic user\'s session');
    assert.equal((await control(bed().gw.url(''), 'GET', `/tyk/keys/${PLUGIN_TOKEN}`)).status, 404);
  });

  nothingLoggedAfterShutdown(handle);
});

describe('auth bypass corpus: an auth_check plugin that errors, times out, is not started or is killed', () => {
  let plugin: GrpcPlugin;
  let nobody: number;
  let sidecarAddress: string;
  let lateAddress: string;
  let dir: TempDir;
  before(async () => {
    nobody = await freePort();
    // Unix sockets of their own: no port another process could take in between.
    dir = await tempDir();
    sidecarAddress = `unix://${join(dir.path, 'auth.sock')}`;
    lateAddress = `unix://${join(dir.path, 'late.sock')}`;
    plugin = await startGrpcPlugin({
      Throw: () => {
        throw new Error('plugin failure with its own text');
      },
      Sleep: async (o) => {
        await sleep(2000);
        return o;
      },
    });
  });
  after(async () => {
    await plugin?.stop();
    await dir?.remove();
  });
  const handle = useBypassBed((up) => ({
    config: {
      ...coprocessConfig(plugin.address, {
        dispatch_timeout_ms: 300,
        // restart backoff of 4 s: long enough that requests meet the sidecar dead.
        sidecars: [{ name: 'auth', command: process.execPath, args: [SIDECAR_PLUGIN, '--address', sidecarAddress], env: { SIDECAR_PLUGIN_ACCEPT_TOKEN: SIDECAR_TOKEN }, address: sidecarAddress, restart_backoff_initial_ms: 4000, restart_backoff_max_ms: 4000, stop_grace_ms: 1000 },
          // Would listen after 10 minutes: never ready within its 500 ms, so it is killed and retried.
          { name: 'late', command: process.execPath, args: [SIDECAR_PLUGIN, '--address', lateAddress, '--ready-delay-ms', '600000'], env: { SIDECAR_PLUGIN_ACCEPT_TOKEN: SIDECAR_TOKEN }, address: lateAddress, ready_timeout_ms: 500, restart_backoff_initial_ms: 1000, restart_backoff_max_ms: 1000, stop_grace_ms: 500 },
        ],
      }),
    },
    apis: {
      'err.json': pluginApi('err', '/err/', up.origin, { auth_check: { name: 'Throw' } }),
      'slow.json': pluginApi('slow', '/slow/', up.origin, { auth_check: { name: 'Sleep' } }),
      'down.json': pluginApi('down', '/down/', up.origin, { auth_check: { name: 'Auth' } }, { hookgate: { plugin_server: `127.0.0.1:${nobody}` } }),
      // Only the slow API needs the 300 ms deadline; a sidecar's first call on a loaded machine can take longer.
      'side.json': pluginApi('side', '/side/', up.origin, { auth_check: { name: 'Auth' } }, { hookgate: { plugin_server: 'sidecar:auth', dispatch_timeout_ms: 5000 } }),
      'late.json': pluginApi('late', '/late/', up.origin, { auth_check: { name: 'Auth' } }, { hookgate: { plugin_server: 'sidecar:late' } }),
    },
  }));
  const bed = () => handle.bed;
  const token = { authorization: SIDECAR_TOKEN };

  it('the plugin answers with an error: 403 Key not authorised, the gateway stays up', async () => {
    await bed().refused({ path: '/err/attempt-1', headers: token, secrets: [SIDECAR_TOKEN], status: 403, error: 'Key not authorised' });
  });

  it('the plugin sleeps past the 300 ms deadline: 403 Key not authorised', async () => {
    await bed().refused({ path: '/slow/attempt-1', headers: token, secrets: [SIDECAR_TOKEN], status: 403, error: 'Key not authorised' });
  });

  it('the plugin server was never started (nothing listens at its address): 403 Key not authorised', async () => {
    await bed().refused({ path: '/down/attempt-1', headers: token, secrets: [SIDECAR_TOKEN], status: 403, error: 'Key not authorised' });
  });

  it('a sidecar the gateway launched that never becomes ready: 403 Key not authorised', async () => {
    await bed().refused({ path: '/late/attempt-1', headers: token, secrets: [SIDECAR_TOKEN], status: 403, error: 'Key not authorised' });
  });

  it('the sidecar killed (SIGKILL): 403 Key not authorised until the gateway has restarted it, then 200', async () => {
    const ok = await bed().send({ path: '/side/attempt-0', headers: token, secrets: [SIDECAR_TOKEN] });
    assert.equal(ok.status, 200, ok.text());
    const pid = sidecarPids(bed().gw, 'auth').at(-1);
    assert.ok(pid !== undefined && pid > 0, 'the sidecar printed its pid');
    process.kill(pid, 'SIGKILL');
    await bed().refused({ path: '/side/attempt-1', headers: token, secrets: [SIDECAR_TOKEN], status: 403, error: 'Key not authorised' });
    const deadline = Date.now() + 30_000;
    let status = 0;
    for (let i = 2; Date.now() < deadline && status !== 200; i++) {
      status = (await bed().send({ path: `/side/attempt-${i}`, headers: token, secrets: [SIDECAR_TOKEN] })).status;
      if (status !== 200) {
        assert.equal(status, 403, 'fails closed while the sidecar is down');
        await sleep(250);
      }
    }
    assert.equal(status, 200, 'served again once the sidecar was restarted');
  });

  nothingLoggedAfterShutdown(handle);
});

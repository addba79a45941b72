import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { plugin } from '../../examples/ts-auth/plugin.js';
import { PACKAGE_ROOT } from '../../gateway/meta.js';
import { startGateway } from '../../sdk/testing/index.js';
import { spawnGateway } from '../helpers/gateway-process.js';
import { request, tykError } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream } from '../helpers/upstream.js';

const KEY = '47a0c79c427728b3df4af62b9228c8ae';
const EXAMPLE = join(PACKAGE_ROOT, 'examples', 'ts-auth');
const exampleApi = () => JSON.parse(readFileSync(join(EXAMPLE, 'apps', 'ts-auth.json'), 'utf8')) as Record<string, unknown>;

describe('the ts-auth example end to end through a real gateway', () => {
  it('with the SDK harness: a bad token is refused as Tyk refuses it, the good token reaches the upstream with the session\'s limits', async () => {
    const api = exampleApi();
    const gw = await startGateway({ plugin, listenPath: '/ts-auth/', api: { custom_middleware: api['custom_middleware'], enable_coprocess_auth: true, config_data: api['config_data'] } });
    try {
      const bad = await gw.request('/ts-auth/x', { headers: { Authorization: 'badtoken' } });
      assert.equal(bad.status, 403);
      assert.equal(bad.text(), tykError('Forbidden'));
      assert.equal(gw.upstream.requests.length, 0);

      const good = await gw.request('/ts-auth/x?y=1', { headers: { Authorization: KEY } });
      assert.equal(good.status, 200);
      assert.equal(gw.upstream.last()?.url, '/x?y=1');
      assert.equal(gw.upstream.last()?.headers['x-hello'], 'from the ts-auth plugin');
      assert.equal(good.headers['x-ratelimit-limit'], '1000');
      assert.equal(good.headers['x-ratelimit-remaining'], '999');
      const reset = Number(good.headers['x-ratelimit-reset']);
      assert.ok(reset >= Date.now() / 1000 - 1 && reset <= Date.now() / 1000 + 2, `reset ${reset} is within the 1 s window`);
    } finally {
      await gw.close();
    }
  });

  it('with `hookgate start` and the example\'s tyk.conf: the plugin runs as a sidecar and serves', async () => {
    const dir = await tempDir();
    const up = await startUpstream();
    const pluginPort = await freePort();
    // The example's own files, with its fixed ports swapped for free ones (other tests use 8080).
    const conf = JSON.parse(readFileSync(join(EXAMPLE, 'tyk.conf'), 'utf8')) as { coprocess_options: { coprocess_grpc_server: string; sidecars: Record<string, unknown>[] } } & Record<string, unknown>;
    const sidecar = conf.coprocess_options.sidecars[0] as { address: string; env: Record<string, string>; cwd: string };
    conf['listen_port'] = 0;
    conf['log_format'] = 'json';
    conf.coprocess_options.coprocess_grpc_server = `tcp://127.0.0.1:${pluginPort}`;
    sidecar.address = `127.0.0.1:${pluginPort}`;
    sidecar.env = { ...sidecar.env, HOOKGATE_PLUGIN_ADDRESS: `127.0.0.1:${pluginPort}` };
    sidecar.cwd = EXAMPLE;
    const api = exampleApi();
    (api['proxy'] as Record<string, unknown>)['target_url'] = up.origin;
    await dir.write('tyk.conf', conf);
    await dir.write('apps/ts-auth.json', api);
    const gw = await spawnGateway(dir, ['start', '--conf', join(dir.path, 'tyk.conf')], 30_000);
    try {
      assert.equal((await request(gw.url('/ts-auth/x'), { headers: { authorization: 'badtoken' } })).status, 403);
      const good = await request(gw.url('/ts-auth/x'), { headers: { authorization: KEY } });
      assert.equal(good.status, 200);
      assert.equal(good.headers['x-ratelimit-limit'], '1000');
      assert.equal(up.received.at(-1)?.headers['x-hello'], 'from the ts-auth plugin');
      assert.ok(gw.logs.some((l) => l['sidecar'] === 'ts-auth'), 'the sidecar\'s output is in the gateway log');
    } finally {
      await gw.stop();
      await up.close();
    }
  });
});

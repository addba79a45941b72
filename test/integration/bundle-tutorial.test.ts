import assert from 'node:assert/strict';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CoprocessObject__Output } from '../../coprocess/protocol/index.js';
import { coprocessConfig } from '../helpers/apis.js';
import { md5, startPythonHttpServer, type PythonHttpServer } from '../helpers/bundles.js';
import { runCli, spawnGateway, startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin, type GrpcPlugin } from '../helpers/grpc-plugin.js';
import { request, tykError } from '../helpers/http.js';
import { requireProgram } from '../helpers/programs.js';
import { PYTHON_AUTH_BUNDLE, TUTORIAL_KEY } from '../helpers/python.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const TOKEN = '47a0c79c427728b3df4af62b9228c8ae';

/** The tutorial's API: protected by the plugin's auth_check, its hooks from bundle.zip. */
const tutorialApi = (target: string) => ({
  api_id: 'tutorial',
  name: 'Tutorial',
  use_keyless: false,
  enable_coprocess_auth: true,
  custom_middleware_bundle: 'bundle.zip',
  proxy: { listen_path: '/my-api/', target_url: target, strip_listen_path: true },
  version_data: { not_versioned: true, versions: { Default: { name: 'Default' } } },
});

/**
 * Tyk's "Custom Authentication Plugin Tutorial" end to end, with the gRPC plugin the tutorial's
 * Python file becomes until the Python bridge: build the bundle, serve it with
 * `python3 -m http.server`, point bundle_base_url at it, start the gateway, curl.
 */
describe('the bundle tutorial, with a gRPC auth plugin', () => {
  let work: TempDir;
  let plugin: GrpcPlugin;
  let up: TestUpstream;
  let server: PythonHttpServer | undefined;
  let gw: GatewayProcess | undefined;
  before(async () => {
    work = await tempDir('hookgate-tutorial-');
    plugin = await startGrpcPlugin({
      MyAuthMiddleware: (o: CoprocessObject__Output) => {
        if (o.request?.headers['Authorization'] !== TOKEN) return o;
        o.session = { rate: 1000, per: 1 } as never;
        o.metadata = { token: TOKEN };
        return o;
      },
    });
    up = await startUpstream();
  });
  after(async () => {
    await gw?.stop();
    await server?.stop();
    await plugin.stop();
    await up.close();
    await work.remove();
  });

  it('builds, serves, downloads and runs the bundle; a restart reuses the cached folder', async (t) => {
    if (!requireProgram(t, 'python3', 'apt-get install python3')) return;
    // 1. The plugin folder and its manifest; `hookgate bundle build -y` in it.
    await work.write('my-tyk-plugin/manifest.json', { file_list: [], custom_middleware: { driver: 'grpc', auth_check: { name: 'MyAuthMiddleware' } } });
    const built = await runCli(['bundle', 'build', '-y'], 20_000, join(work.path, 'my-tyk-plugin'));
    assert.equal(built.code, 0, built.stderr);

    // 2. python3 -m http.server in that folder.
    server = await startPythonHttpServer(join(work.path, 'my-tyk-plugin'));

    // 3. and 4. The gateway: downloader on, base URL at the server, an API naming the bundle.
    gw = await startGatewayProcess({
      config: { ...coprocessConfig(plugin.address), enable_bundle_downloader: true, bundle_base_url: server.url, middleware_path: 'middleware' },
      apis: {
        'tutorial.json': tutorialApi(up.origin),
      },
    });
    const downloaded = await gw.waitForLog((l) => l.msg === 'plugin bundle downloaded, extracted and verified');
    t.diagnostic(`download ${String(downloaded['download_ms'])} ms, extract ${String(downloaded['extract_ms'])} ms, verify ${String(downloaded['verify_ms'])} ms`);
    assert.deepEqual(server.requests, ['GET /bundle.zip HTTP/1.1 200']);
    const folder = join(gw.dir.path, 'middleware', 'bundles', md5('bundle.zip'));
    assert.equal(downloaded['dir'], folder);
    assert.match(await readFile(join(folder, 'manifest.json'), 'utf8'), /"name":"MyAuthMiddleware"/);

    // 5. curl: a bad token, then the plugin's token.
    const bad = await request(gw.url('/my-api/my-path'), { headers: { Authorization: 'badtoken' } });
    assert.equal(bad.status, 403);
    assert.equal(bad.text(), tykError('Forbidden'));
    const good = await request(gw.url('/my-api/my-path'), { headers: { Authorization: TOKEN } });
    assert.equal(good.status, 200, good.text());
    assert.equal(up.received.at(-1)?.url, '/my-path');
    assert.equal(plugin.received.at(-1)?.spec['bundle_hash'], md5('bundle.zip'));

    // The bundle server goes away; a restart loads the folder already there (Tyk: "Loading existing bundle").
    await server.stop();
    server = undefined;
    gw.child.kill('SIGTERM');
    await gw.exited;
    gw = await spawnGateway(gw.dir, ['start', '--conf', join(gw.dir.path, 'tyk.conf')], 30_000);
    await gw.waitForLog((l) => l.msg === 'plugin bundle loaded from the cache' && l['dir'] === folder);
    assert.equal((await request(gw.url('/my-api/my-path'), { headers: { Authorization: TOKEN } })).status, 200);
  });
});

/**
 * The same tutorial as Tyk writes it, with its Python plugin: the tutorial's middleware.py and
 * manifest.json (examples/python-auth) built into a bundle, served, downloaded, verified, and run
 * in the Python bridge the gateway launches.
 */
describe('the bundle tutorial, with its Python plugin', () => {
  let work: TempDir;
  let up: TestUpstream;
  let server: PythonHttpServer | undefined;
  let gw: GatewayProcess | undefined;
  before(async () => {
    work = await tempDir('hookgate-py-tutorial-');
    up = await startUpstream();
  });
  after(async () => {
    await gw?.stop();
    await server?.stop();
    await up.close();
    await work.remove();
  });

  it('builds, serves, downloads and runs the Python bundle: the bad token is refused, the good one gets its session', async (t) => {
    if (!requireProgram(t, 'python3', 'apt-get install python3')) return;
    for (const file of ['manifest.json', 'middleware.py']) {
      await work.write(`my-tyk-plugin/${file}`, '');
      await copyFile(join(PYTHON_AUTH_BUNDLE, file), join(work.path, 'my-tyk-plugin', file));
    }
    const built = await runCli(['bundle', 'build', '-y'], 20_000, join(work.path, 'my-tyk-plugin'));
    assert.equal(built.code, 0, built.stderr);
    server = await startPythonHttpServer(join(work.path, 'my-tyk-plugin'));
    gw = await startGatewayProcess({
      // The bridge's Python workers start before the gateway is ready: slow on a loaded machine.
      readyTimeoutMs: 60_000,
      config: { coprocess_options: { enable_coprocess: true, python_workers: 1 }, enable_bundle_downloader: true, bundle_base_url: server.url, middleware_path: 'middleware' },
      apis: {
        'tutorial.json': tutorialApi(up.origin),
      },
    });
    assert.deepEqual(server.requests, ['GET /bundle.zip HTTP/1.1 200']);
    const bad = await request(gw.url('/my-api/my-path'), { headers: { Authorization: 'badtoken' } });
    assert.equal(bad.status, 403);
    assert.equal(bad.text(), tykError('Forbidden'));
    const good = await request(gw.url('/my-api/my-path'), { headers: { Authorization: TUTORIAL_KEY } });
    assert.equal(good.status, 200, good.text());
    assert.equal(good.headers['x-ratelimit-limit'], '1000', "the plugin's session (rate 1000 per 1) is applied");
    assert.equal(up.received.at(-1)?.url, '/my-path');
  });
});

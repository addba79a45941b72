import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CoprocessObject__Output } from '../../coprocess/protocol/index.js';
import { coprocessConfig, keylessApi } from '../helpers/apis.js';
import { startPythonHttpServer, type PythonHttpServer } from '../helpers/bundles.js';
import { control, SECRET } from '../helpers/control.js';
import { runCli, startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin, type GrpcPlugin } from '../helpers/grpc-plugin.js';
import { request } from '../helpers/http.js';
import { hasProgram } from '../helpers/programs.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const VERSIONS = ['v1', 'v2', 'v3'];

/** Each version's pre hook tells the upstream, its response hook tells the client. */
const hooks = Object.fromEntries(
  VERSIONS.flatMap((v) => [
    [`Pre_${v}`, (o: CoprocessObject__Output) => (o.request !== null && (o.request.set_headers = { 'X-Bundle': v }), o)],
    [`Resp_${v}`, (o: CoprocessObject__Output) => (o.response !== null && (o.response.headers['X-Resp'] = v), o)],
  ]),
);

interface Outcome {
  readonly status: number;
  /** Which bundle's pre hook ran, and which bundle's response hook. */
  readonly pre: string;
  readonly resp: string;
  readonly started: number;
  readonly ended: number;
  readonly error?: string;
}

describe('hot reload of plugin bundles', () => {
  let work: TempDir;
  let server: PythonHttpServer | undefined;
  let plugin: GrpcPlugin;
  let up: TestUpstream;
  let started: GatewayProcess | undefined;
  let skip = false;
  const gateway = (): GatewayProcess => started ?? assert.fail('the gateway did not start');
  const api = (bundle: string) => keylessApi('r', '/r/', up.origin, {}, { custom_middleware_bundle: bundle });
  const point = (bundle: string) => writeFile(join(gateway().dir.path, 'apps', 'r.json'), JSON.stringify(api(bundle)));
  const call = async (path: string): Promise<Outcome> => {
    const started = performance.now();
    try {
      const res = await request(gateway().url(path));
      const body = res.status === 200 ? (res.json() as { headers: Record<string, string> }) : { headers: {} };
      return { status: res.status, pre: body.headers['x-bundle'] ?? '', resp: String(res.headers['x-resp'] ?? ''), started, ended: performance.now() };
    } catch (err) {
      return { status: 0, pre: '', resp: '', started, ended: performance.now(), error: String(err) };
    }
  };

  before(async () => {
    work = await tempDir('hookgate-reload-');
    plugin = await startGrpcPlugin(hooks);
    up = await startUpstream();
    skip = !hasProgram('python3');
    if (skip) return;
    await work.write('served/.keep', '');
    for (const v of VERSIONS) {
      await work.write(`src-${v}/manifest.json`, { file_list: [], custom_middleware: { driver: 'grpc', pre: [{ name: `Pre_${v}` }], response: [{ name: `Resp_${v}` }] } });
      const built = await runCli(['bundle', 'build', '-y', '-o', join(work.path, 'served', `bundle-${v.slice(1)}.zip`)], 20_000, join(work.path, `src-${v}`));
      assert.equal(built.code, 0, built.stderr);
    }
    const served = await startPythonHttpServer(join(work.path, 'served'));
    server = served;
    started = await startGatewayProcess({
      config: { secret: SECRET, ...coprocessConfig(plugin.address), enable_bundle_downloader: true, bundle_base_url: served.url },
      apis: { 'r.json': api('bundle-1.zip') },
    });
  });
  after(async () => {
    await started?.stop();
    await server?.stop();
    await plugin.stop();
    await up.close();
    await work.remove();
  });

  it('switches from bundle-1 to bundle-2 under concurrent load (/tyk/reload): no request fails, none mixes bundles', async (t) => {
    if (skip) return t.skip('python3 is not installed');
    const first = await call('/r/x');
    assert.deepEqual([first.status, first.pre, first.resp], [200, 'v1', 'v1']);
    const outcomes: Outcome[] = [];
    let running = true;
    const worker = async () => {
      while (running) outcomes.push(await call('/r/load'));
    };
    const workers = Array.from({ length: 16 }, worker);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await point('bundle-2.zip');
    const reloadStarted = performance.now();
    const reloaded = await control(gateway().url(''), 'GET', '/tyk/reload?block=true');
    const reloadEnded = performance.now();
    assert.equal(reloaded.status, 200);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    running = false;
    await Promise.all(workers);

    const failed = outcomes.filter((o) => o.status !== 200);
    assert.deepEqual(failed, [], 'no request failed during the reload');
    for (const o of outcomes) assert.equal(o.resp, o.pre, 'a request runs the response hook of the bundle its pre hook came from');
    assert.ok(outcomes.filter((o) => o.ended < reloadStarted).every((o) => o.pre === 'v1'), 'bundle-1 until the reload');
    const after = outcomes.filter((o) => o.started > reloadEnded);
    assert.ok(after.length > 0 && after.every((o) => o.pre === 'v2'), 'bundle-2 once the reload answered');
    const seconds = (outcomes.at(-1)?.ended ?? 0) / 1000 - (outcomes[0]?.started ?? 0) / 1000;
    t.diagnostic(`${outcomes.length} requests from 16 clients in ${seconds.toFixed(1)} s, 0 failed; reload (download, verify, swap) took ${(reloadEnded - reloadStarted).toFixed(0)} ms`);
  });

  it('SIGHUP switches to bundle-3; a request in flight finishes on bundle-2', async (t) => {
    if (skip) return t.skip('python3 is not installed');
    const inFlight = call('/r/slow?ms=1500');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await point('bundle-3.zip');
    const reloads = gateway().logs.filter((l) => l.msg === 'API definitions reloaded').length;
    process.kill(gateway().pid, 'SIGHUP');
    await gateway().waitForLog(() => gateway().logs.filter((l) => l.msg === 'API definitions reloaded').length > reloads);
    const fresh = await call('/r/x');
    assert.deepEqual([fresh.pre, fresh.resp], ['v3', 'v3']);
    const old = await inFlight;
    assert.equal(old.status, 200);
    assert.deepEqual([old.pre, old.resp], ['v2', 'v2'], 'the slow request started on bundle-2 and finished on it');
    assert.ok(old.ended > fresh.ended, 'it was still in flight when bundle-3 served');
  });

  it('a new bundle that fails keeps the last good version serving, and says why', async (t) => {
    if (skip) return t.skip('python3 is not installed');
    await point('bundle-missing.zip');
    assert.equal((await control(gateway().url(''), 'GET', '/tyk/reload?block=true')).status, 200);
    const kept = await gateway().waitForLog((l) => l['file'] !== undefined && String(l.msg).includes('bundle-missing.zip'));
    assert.equal(
      kept.msg,
      '`custom_middleware_bundle`: bundle "bundle-missing.zip" failed to load: Couldn\'t fetch bundle: HTTP Error, got status code 404; API "r" keeps serving its last good version (bundle "bundle-3.zip")',
    );
    const res = await call('/r/x');
    assert.deepEqual([res.status, res.pre, res.resp], [200, 'v3', 'v3']);
    assert.equal((server?.requests ?? []).filter((r) => r.includes('bundle-missing.zip')).length, 1, 'a 404 is not retried');
  });
});

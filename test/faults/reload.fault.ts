import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { keylessApi } from '../helpers/apis.js';
import { startPythonHttpServer, type PythonHttpServer } from '../helpers/bundles.js';
import { control } from '../helpers/control.js';
import { startFaultBed, type FaultBed } from '../helpers/fault-bed.js';
import { assertGatewayHealthy, report, runFault } from '../helpers/fault-run.js';
import { runCli } from '../helpers/gateway-process.js';
import { request } from '../helpers/http.js';
import { ok, tally, type LoadTarget } from '../helpers/load.js';
import { hasProgram } from '../helpers/programs.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';

/**
 * Reloads under load. An API on a downloaded bundle (/r/, pre hook Tag_<version> on the plugin
 * sidecar) is pointed at a new bundle while the bundle server is down: it keeps its last good
 * version, nothing fails, and the new bundle serves once the server is back. Then a reload storm:
 * 20 reloads (/tyk/reload and SIGHUP, alternately; /r/ switching bundles, and twice the Python
 * API switching bundle folders, so Python bridges start and stop) under load, with zero failed
 * requests.
 */
const skip = !hasProgram('python3') && process.env['CI'] !== 'true' ? 'python3 is not installed' : false;

describe('reloads under load', { concurrency: false, timeout: 300_000, skip }, () => {
  let work: TempDir;
  let server: PythonHttpServer | undefined;
  let bed: FaultBed;
  let origin = '';
  const bundleApi = (bundle: string) => keylessApi('r', '/r/', origin, {}, { custom_middleware_bundle: bundle });
  const point = (bundle: string) => writeFile(join(bed.gw.dir.path, 'apps', 'r.json'), JSON.stringify(bundleApi(bundle)));
  const bundleOf = async () => {
    const res = await request(bed.gw.url('/r/x'), { timeoutMs: 5000 });
    return res.status === 200 ? (res.json() as { bundle: string }).bundle : `status ${res.status}`;
  };
  const targets = (): LoadTarget[] => [...bed.targets, { name: 'bundle', path: '/r/x', authenticated: true }];

  before(async () => {
    work = await tempDir('hookgate-reload-faults-');
    await work.write('served/.keep', '');
    for (const v of ['v1', 'v2']) {
      await work.write(`src-${v}/manifest.json`, { file_list: [], custom_middleware: { driver: 'grpc', pre: [{ name: `Tag_${v}` }] } });
      const built = await runCli(['bundle', 'build', '-y', '-o', join(work.path, 'served', `bundle-${v}.zip`)], 20_000, join(work.path, `src-${v}`));
      assert.equal(built.code, 0, built.stderr);
    }
    server = await startPythonHttpServer(join(work.path, 'served'));
    const url = server.url;
    bed = await startFaultBed({
      python: true,
      config: { enable_bundle_downloader: true, bundle_base_url: url },
      apis: (o) => {
        origin = o;
        return { 'r.json': bundleApi('bundle-v1.zip') };
      },
    });
  });
  after(async () => {
    await bed?.stop();
    await server?.stop();
    await work?.remove();
  });

  it('the bundle server is down during a reload: the API keeps its last good bundle, nothing fails; the new bundle serves once the server is back', async (t) => {
    assert.equal(await bundleOf(), 'v1');
    const port = server?.port ?? assert.fail('no bundle server');
    let reloadedDown = 0;
    const figures = await runFault(t, bed, {
      fault: 'bundle server down during a reload',
      affected: [],
      targets: targets(),
      holdMs: 1000,
      inject: async () => {
        await server?.stop();
        await point('bundle-v2.zip');
        const began = performance.now();
        assert.equal((await control(bed.gw.url(''), 'GET', '/tyk/reload?block=true')).status, 200);
        reloadedDown = Math.round(performance.now() - began);
        assert.equal(await bundleOf(), 'v1', 'the last good bundle serves');
      },
      clear: async () => {
        server = await startPythonHttpServer(join(work.path, 'served'), port);
      },
    });
    await bed.gw.waitForLog((l) => String(l.msg).includes('keeps serving its last good version'));
    const back = performance.now();
    assert.equal((await control(bed.gw.url(''), 'GET', '/tyk/reload?block=true')).status, 200);
    const switched = await bundleOf();
    const failed = figures.outcomes.filter((o) => !ok(o) && o.authenticated);
    report(t, { fault: figures.fault, test: t.fullName, failedReloadMs: reloadedDown, newBundleServingMs: Math.round(performance.now() - back), failed: failed.length, statuses: tally(figures.outcomes) });
    assert.deepEqual(failed.map((o) => `${o.target} ${o.status} ${o.detail}`), [], 'no request failed');
    assert.equal(switched, 'v2', 'the next reload with the server back serves the new bundle');
    assertGatewayHealthy(bed);
  });

  it('a reload storm: 20 reloads (/tyk/reload and SIGHUP) under load, zero failed requests', async (t) => {
    let reloads = 0;
    // Twice (reloads 1 and 11) the Python API switches between two bundle folders too: each switch
    // starts a bridge (seconds of CPU on a small machine) and stops one.
    const python = [join(bed.dir.path, 'pyauth'), await bed.writePythonBundle('pyauth-2')];
    const figures = await runFault(t, bed, {
      fault: 'reload storm: 20 reloads (10 /tyk/reload, 10 SIGHUP), /r/ changing bundles each time, the Python API twice',
      affected: [],
      targets: targets(),
      holdMs: 0,
      inject: async () => {
        for (let i = 0; i < 20; i++) {
          await point(i % 2 === 0 ? 'bundle-v1.zip' : 'bundle-v2.zip');
          if (i % 10 === 0) await bed.pointPython(python[(i / 10 + 1) % 2] as string);
          const done = bed.gw.logs.filter((l) => l.msg === 'API definitions reloaded').length;
          if (i % 2 === 0) assert.equal((await control(bed.gw.url(''), 'GET', '/tyk/reload?block=true')).status, 200);
          else {
            process.kill(bed.gw.pid, 'SIGHUP');
            await bed.gw.waitForLog(() => bed.gw.logs.filter((l) => l.msg === 'API definitions reloaded').length > done, 20_000);
          }
          reloads++;
          await sleep(100);
        }
      },
    });
    const failed = figures.outcomes.filter((o) => !ok(o) && o.authenticated);
    report(t, { fault: figures.fault, test: t.fullName, reloads, requests: figures.requests, failed: failed.length, stormMs: Math.round(figures.clearedAt - figures.injectedAt) });
    assert.equal(reloads, 20);
    assert.deepEqual(failed.map((o) => `${o.target} ${o.status} ${o.detail}`), [], 'no request failed during the storm');
    assertGatewayHealthy(bed);
  });
});

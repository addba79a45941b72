import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { coprocessConfig, keylessApi } from '../helpers/apis.js';
import { run } from '../helpers/bundles.js';
import { control, SECRET } from '../helpers/control.js';
import { runCli, startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin, type GrpcPlugin } from '../helpers/grpc-plugin.js';
import { request } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { requireProgram } from '../helpers/programs.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const bundleApi = (id: string, origin: string) => keylessApi(id, `/${id}/`, origin, {}, { custom_middleware_bundle: 'b.zip' });

async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

describe('downloading bundles', () => {
  let work: TempDir;
  let zip: Buffer;
  let plugin: GrpcPlugin;
  let up: TestUpstream;
  let gw: GatewayProcess | undefined;
  const servers: Server[] = [];
  before(async () => {
    work = await tempDir('hookgate-download-');
    await work.write('src/manifest.json', { file_list: [], custom_middleware: { driver: 'grpc', pre: [{ name: 'Downloaded' }] } });
    const built = await runCli(['bundle', 'build', '-y', '-o', 'b.zip'], 20_000, join(work.path, 'src'));
    assert.equal(built.code, 0, built.stderr);
    zip = await readFile(join(work.path, 'src', 'b.zip'));
    plugin = await startGrpcPlugin();
    up = await startUpstream();
  });
  after(async () => {
    await gw?.stop();
    await Promise.all(servers.map(close));
    await plugin.stop();
    await up.close();
    await work.remove();
  });

  /** An HTTP server for bundles: `handler` decides, and every request's arrival time is kept. */
  const bundleServer = async (handler: (req: IncomingMessage, res: ServerResponse) => void, port = 0) => {
    const arrivals: number[] = [];
    const server = createHttpServer((req, res) => {
      arrivals.push(performance.now());
      handler(req, res);
    });
    servers.push(server);
    return { port: await listen(server, port), arrivals };
  };
  const serveZip = (_req: IncomingMessage, res: ServerResponse) => res.end(zip);

  /** `hookgate check` with bundle settings; its report. */
  const check = async (name: string, config: Record<string, unknown>) => {
    await work.write(`${name}/tyk.conf`, { ...coprocessConfig('127.0.0.1:1'), enable_bundle_downloader: true, app_path: 'apps', ...config });
    await work.write(`${name}/apps/d.json`, bundleApi('d', 'http://up'));
    const res = await runCli(['check', '--conf', join(work.path, name, 'tyk.conf')]);
    return `${res.stdout}${res.stderr}`;
  };

  it('server down: retries with growing waits, the API reports why, others serve; it loads on a reload once the server is up', async () => {
    const port = await freePort();
    gw = await startGatewayProcess({
      config: {
        secret: SECRET,
        ...coprocessConfig(plugin.address),
        enable_bundle_downloader: true,
        bundle_base_url: `http://127.0.0.1:${port}/bundles/`,
        hookgate: { bundles: { download_retries: 3, retry_initial_ms: 100 } },
      },
      apis: { 'down.json': bundleApi('down', up.origin), 'plain.json': keylessApi('plain', '/plain/', up.origin) },
    });
    const retries = gw.logs.filter((l) => l.msg.startsWith('bundle download failed: Error getting bundle: connect ECONNREFUSED'));
    assert.deepEqual(retries.map((l) => l['attempt']), [1, 2, 3]);
    assert.equal(retries[0]?.['url'], `http://127.0.0.1:${port}/bundles/b.zip`);
    const waits = retries.map((l) => Number(l['retry_in_ms']));
    waits.forEach((w, i) => assert.ok(w >= 50 * 2 ** i && w <= 100 * 2 ** i, `wait ${i + 1} is ${w} ms`));
    const refusal = gw.logs.find((l) => l.msg.startsWith('API refused') && l['api_id'] === 'down')?.msg ?? '';
    assert.match(
      refusal,
      /^API refused: `custom_middleware_bundle`: bundle "b.zip" failed to load: Couldn't fetch bundle: Error getting bundle: connect ECONNREFUSED 127\.0\.0\.1:\d+ \(4 attempts in \d+\.\d s, waiting longer after each\); the API is not loaded \(as in Tyk\)$/,
    );
    assert.equal((await request(gw.url('/down/x'))).status, 404);
    assert.equal((await request(gw.url('/plain/x'))).status, 200);

    // The bundle server comes up on that port; a reload fetches the bundle and the API serves.
    const served = await bundleServer(serveZip, port);
    assert.equal((await control(gw.url(''), 'GET', '/tyk/reload?block=true')).status, 200);
    assert.equal((await request(gw.url('/down/x'))).status, 200);
    assert.equal(plugin.received.at(-1)?.hook_name, 'Downloaded');
    assert.equal(served.arrivals.length, 1);
  });

  it('waits longer before each retry of a 503 (measured at the server), then gives up with the status', async () => {
    const failing = await bundleServer((_req, res) => {
      res.statusCode = 503;
      res.end('busy');
    });
    const report = await check('busy', { bundle_base_url: `http://127.0.0.1:${failing.port}/`, hookgate: { bundles: { download_retries: 4, retry_initial_ms: 80 } } });
    assert.match(report, /bundle "b.zip" failed to load: Couldn't fetch bundle: HTTP Error, got status code 503 \(5 attempts in \d+\.\d s, waiting longer after each\)/);
    assert.equal(failing.arrivals.length, 5);
    const gaps = failing.arrivals.slice(1).map((t, i) => t - (failing.arrivals[i] ?? 0));
    // Lower bounds only: on a loaded machine a gap can stretch, never shrink below its jittered minimum.
    gaps.forEach((gap, i) => assert.ok(gap >= 40 * 2 ** i - 5, `gap ${i + 1}: ${gap.toFixed(0)} ms is at least half the doubled wait`));
  });

  it('404 is not retried; a hung server times out; the preconditions read as in Tyk', async () => {
    const missing = await bundleServer((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    assert.match(await check('missing', { bundle_base_url: `http://127.0.0.1:${missing.port}/` }), /Couldn't fetch bundle: HTTP Error, got status code 404; the API/);
    assert.equal(missing.arrivals.length, 1);
    const hung = await bundleServer(() => undefined);
    assert.match(
      await check('hung', { bundle_base_url: `http://127.0.0.1:${hung.port}/`, hookgate: { bundles: { download_timeout_ms: 300, download_retries: 1, retry_initial_ms: 10 } } }),
      /Couldn't fetch bundle: Error getting bundle: no complete answer within 300 ms \(2 attempts in/,
    );
    assert.match(await check('disabled', { enable_bundle_downloader: false, bundle_base_url: 'http://127.0.0.1:1/' }), /Couldn't fetch bundle: Bundle downloader is disabled/);
    assert.match(await check('no-base', { bundle_base_url: '' }), /Couldn't fetch bundle: No bundle base URL set, skipping bundle/);
    const ftp = await check('ftp', { bundle_base_url: 'ftp://host/' });
    assert.match(ftp, /warning: `bundle_base_url` "ftp:\/\/host\/" is not an http:\/\/, https:\/\/ or file:\/\/ URL/);
    assert.match(ftp, /Couldn't fetch bundle: Unknown URL scheme/);
    const big = await bundleServer(serveZip);
    assert.match(await check('big', { bundle_base_url: `http://127.0.0.1:${big.port}/`, hookgate: { bundles: { max_archive_bytes: 100 } } }), /the bundle is \d+ bytes, more than hookgate.bundles.max_archive_bytes \(100\)/);
  });

  it('https: the certificate is checked unless bundle_insecure_skip_verify', async (t) => {
    if (!requireProgram(t, 'openssl', 'apt-get install openssl')) return;
    run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', join(work.path, 'tls.key'), '-out', join(work.path, 'tls.crt')]);
    const server = createHttpsServer({ key: await readFile(join(work.path, 'tls.key')), cert: await readFile(join(work.path, 'tls.crt')) }, serveZip);
    servers.push(server);
    const base = `https://127.0.0.1:${await listen(server)}/`;
    assert.match(await check('tls', { bundle_base_url: base, hookgate: { bundles: { download_retries: 0 } } }), /Couldn't fetch bundle: Error getting bundle: self[- ]signed certificate/);
    assert.match(await check('tls-insecure', { bundle_base_url: base, bundle_insecure_skip_verify: true }), /OK: no errors/);
  });
});

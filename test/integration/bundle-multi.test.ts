import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CoprocessObject__Output } from '../../coprocess/protocol/index.js';
import { coprocessConfig, keylessApi } from '../helpers/apis.js';
import { md5 } from '../helpers/bundles.js';
import { runCli, startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin, type GrpcPlugin } from '../helpers/grpc-plugin.js';
import { request } from '../helpers/http.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const bundles: Record<string, unknown> = {
  'auth.zip': { driver: 'grpc', auth_check: { name: 'MultiAuth' } },
  'headers.zip': { driver: 'grpc', pre: [{ name: 'AddA' }], post: [{ name: 'AddB' }] },
  'auth-again.zip': { driver: 'grpc', auth_check: { name: 'OtherAuth' } },
  'py.zip': { driver: 'python', pre: [{ name: 'Py' }] },
};

describe('a list of gRPC bundles (protocol.md 4.7)', () => {
  let work: TempDir;
  let plugin: GrpcPlugin;
  let up: TestUpstream;
  let gw: GatewayProcess | undefined;
  before(async () => {
    work = await tempDir('hookgate-multi-');
    await work.write('bundles/.keep', '');
    for (const [name, cm] of Object.entries(bundles)) {
      await work.write(`src-${name}/manifest.json`, { file_list: [], custom_middleware: cm });
      const built = await runCli(['bundle', 'build', '-y', '-o', join(work.path, 'bundles', name)], 20_000, join(work.path, `src-${name}`));
      assert.equal(built.code, 0, built.stderr);
    }
    plugin = await startGrpcPlugin({
      MultiAuth: (o: CoprocessObject__Output) => {
        if (o.request?.headers['Authorization'] !== 'let-me-in') return o;
        o.session = { rate: 100, per: 1 } as never;
        o.metadata = { token: 'let-me-in' };
        return o;
      },
    });
    up = await startUpstream();
  });
  after(async () => {
    await gw?.stop();
    await plugin.stop();
    await up.close();
    await work.remove();
  });

  it('merges the hooks of every bundle in name order, each in its own folder; refuses two auth_checks and mixed drivers', async () => {
    const list = (id: string, names: string, extra: Record<string, unknown> = {}) => keylessApi(id, `/${id}/`, up.origin, {}, { custom_middleware_bundle: names, ...extra });
    gw = await startGatewayProcess({
      config: { ...coprocessConfig(plugin.address), enable_bundle_downloader: true, bundle_base_url: `file://${join(work.path, 'bundles')}/` },
      apis: {
        'multi.json': list('multi', 'headers.zip, auth.zip', { use_keyless: false, enable_coprocess_auth: true }),
        'twoauth.json': list('twoauth', 'auth.zip,auth-again.zip'),
        'mixed.json': list('mixed', 'headers.zip,py.zip'),
      },
    });
    assert.equal((await request(gw.url('/multi/x'), { headers: { Authorization: 'nope' } })).status, 403);
    const before = plugin.received.length;
    assert.equal((await request(gw.url('/multi/x'), { headers: { Authorization: 'let-me-in' } })).status, 200);
    assert.deepEqual(plugin.received.slice(before).map((o) => o.hook_name), ['AddA', 'MultiAuth', 'AddB']);
    const root = join(gw.dir.path, 'middleware', 'bundles', md5('headers.zip, auth.zip'));
    assert.ok(existsSync(join(root, 'headers', 'manifest.json')));
    assert.ok(existsSync(join(root, 'auth', 'manifest.json')));

    const refusal = (id: string) => gw?.logs.find((l) => l.msg.startsWith('API refused') && l['api_id'] === id)?.msg ?? '';
    assert.match(refusal('twoauth'), /Couldn't merge bundle "auth-again.zip": bundle "auth-again.zip" declares an auth_check hook but another bundle has already set one \("MultiAuth"\)/);
    assert.match(refusal('mixed'), /Couldn't merge bundle "py.zip": bundle "py.zip" has driver "python": a list of bundles is for gRPC bundles/);
    for (const id of ['twoauth', 'mixed']) assert.equal((await request(gw.url(`/${id}/x`))).status, 404);
  });
});

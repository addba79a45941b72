import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiLoadContextOf, customMiddlewareSchema, loadApiDocuments, type ApiLoadResult, type BundleOutcome } from '../../gateway/apidef/index.js';
import { loadConfigDocument } from '../../gateway/config/index.js';
import { keylessApi } from '../helpers/apis.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';

const AUTH_MANIFEST = { file_list: ['middleware.py'], custom_middleware: { driver: 'python', auth_check: { name: 'MyAuthMiddleware' } } };

describe('API definitions with Python bundles', () => {
  let dir: TempDir;
  const contextFor = (config: Record<string, unknown> = {}) =>
    apiLoadContextOf(loadConfigDocument({ middleware_path: join(dir.path, 'middleware'), coprocess_options: { enable_coprocess: true }, ...config }, join(dir.path, 'tyk.conf')).config ?? assert.fail('config'));
  const document = (api: Record<string, unknown>) => ({ ...keylessApi('a', '/a/', 'http://up'), use_keyless: false, enable_coprocess_auth: true, ...api });
  const load = (api: Record<string, unknown>, config: Record<string, unknown> = {}): ApiLoadResult =>
    loadApiDocuments([{ file: join(dir.path, 'apps', 'a.json'), document: document(api) }], contextFor(config));
  const loadWith = (api: Record<string, unknown>, bundle: BundleOutcome): ApiLoadResult =>
    loadApiDocuments([{ file: join(dir.path, 'apps', 'a.json'), document: document(api), bundle }], contextFor());
  const errorsOf = (r: ApiLoadResult) => r.refused.flatMap((x) => x.errors.map((e) => e.message)).join('\n');
  const bundle = (folder: string, manifest: unknown) => {
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'manifest.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
    writeFileSync(join(folder, 'middleware.py'), 'def MyAuthMiddleware(request, session, metadata, spec):\n  return request, session, metadata\n');
  };

  before(async () => {
    dir = await tempDir();
    bundle(join(dir.path, 'plugins', 'auth'), AUTH_MANIFEST);
    bundle(join(dir.path, 'middleware', 'bundles', createHash('md5').update('bundle-1.zip').digest('hex')), AUTH_MANIFEST);
  });
  after(() => dir.remove());

  it('runs hookgate.bundle_path (relative to the definition) through a Python bridge, with the manifest as custom_middleware', () => {
    const result = load({ hookgate: { bundle_path: '../plugins/auth' }, custom_middleware: { driver: 'grpc', pre: [{ name: 'Ignored' }] } });
    assert.equal(errorsOf(result), '');
    const plan = result.apis[0]?.plugins;
    assert.equal(plan?.driver, 'python');
    assert.equal(plan?.authCheck?.name, 'MyAuthMiddleware');
    assert.deepEqual(plan?.pre, []);
    assert.equal(plan?.python?.dir, join(dir.path, 'plugins', 'auth'));
    assert.equal(plan?.python?.name, 'auth');
    assert.match(plan?.server ?? '', /^unix:\/\/\/.+\/py-[0-9a-f]{12}\.sock$/);
    assert.equal(plan?.python?.address, plan?.server);
    assert.equal(plan?.spec['bundle_hash'], 'd41d8cd98f00b204e9800998ecf8427e');
    assert.match(result.warnings.map((w) => w.problem.message).join(), /`custom_middleware` is replaced by the bundle's manifest.json/);
  });

  it('runs a downloaded Python bundle from its verified folder through a Python bridge', () => {
    const folder = join(dir.path, 'middleware', 'bundles', createHash('md5').update('bundle-1.zip').digest('hex'));
    const outcome: BundleOutcome = { ok: true, bundle: { name: 'bundle-1.zip', dir: folder, customMiddleware: customMiddlewareSchema.parse(AUTH_MANIFEST.custom_middleware), source: 'download' } };
    const result = loadWith({ custom_middleware_bundle: 'bundle-1.zip' }, outcome);
    assert.equal(errorsOf(result), '');
    const plan = result.apis[0]?.plugins;
    assert.equal(plan?.driver, 'python');
    assert.equal(plan?.python?.name, 'bundle-1.zip');
    assert.equal(plan?.python?.dir, folder);
    assert.equal(plan?.spec['bundle_hash'], '0e6b0f389dc67eef9c0338ac7193d1b4');
    // Two APIs on one folder share one bridge.
    assert.equal(loadWith({ custom_middleware_bundle: 'bundle-1.zip' }, outcome).apis[0]?.plugins?.server, plan?.server);
  });

  it('refuses what it cannot run, each with the reason', () => {
    assert.match(errorsOf(load({ hookgate: { bundle_path: 'nowhere' } })), /`hookgate.bundle_path`: folder .*nowhere does not exist/);
    assert.match(errorsOf(load({ custom_middleware_bundle: 'bundle-1.zip', hookgate: { bundle_path: '../plugins/auth' } })), /set either custom_middleware_bundle .* or hookgate.bundle_path .*, not both/);
    assert.match(errorsOf(load({ hookgate: { bundle_path: '../plugins/auth', plugin_server: '127.0.0.1:5555' } })), /`hookgate.plugin_server`: cannot be set with driver "python"/);
    assert.match(errorsOf(load({ hookgate: { bundle_path: '../plugins/auth' } }, { coprocess_options: { enable_coprocess: false } })), /Python plugin hooks, but coprocess_options.enable_coprocess is false/);
    bundle(join(dir.path, 'plugins', 'broken'), '{"file_list": [}');
    assert.match(errorsOf(load({ hookgate: { bundle_path: '../plugins/broken' } })), /manifest.json: invalid JSON at line 1, column 16: unexpected "}", expected a value$/);
    bundle(join(dir.path, 'plugins', 'no-hooks'), { custom_middleware: { driver: 'python' } });
    // No hooks: nothing to run, so nothing is launched (and with custom auth on, no auth hook).
    assert.match(errorsOf(load({ hookgate: { bundle_path: '../plugins/no-hooks' } })), /no auth_check hook is named/);
  });

  it('custom_middleware_bundle_disabled turns the bundle off', () => {
    const result = load({ custom_middleware_bundle: 'other.zip', custom_middleware_bundle_disabled: true, use_keyless: true, enable_coprocess_auth: false });
    assert.equal(errorsOf(result), '');
    assert.equal(result.apis[0]?.plugins, undefined);
  });
});

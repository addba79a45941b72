/**
 * Runs the ts-auth example's own tests (they live with the example, so a user who copies the
 * folder gets them), and checks that its gateway config fits the plugin it launches.
 */
import '../../examples/ts-auth/plugin.test.js';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { plugin } from '../../examples/ts-auth/plugin.js';
import { apiLoadContextOf, loadApiDocuments, loadConfigFile, PACKAGE_ROOT } from '../../gateway/index.js';

const DIR = join(PACKAGE_ROOT, 'examples', 'ts-auth');

describe('examples/ts-auth gateway config', () => {
  it('tyk.conf is valid and launches the compiled entry point as a sidecar on the coprocess address', async () => {
    const { config, errors } = await loadConfigFile(join(DIR, 'tyk.conf'));
    assert.deepEqual(errors, []);
    const coprocess = config?.tyk.coprocess_options;
    assert.equal(coprocess?.enable_coprocess, true);
    const [sidecar] = coprocess?.sidecars ?? [];
    assert.ok(sidecar !== undefined);
    assert.equal(coprocess?.coprocess_grpc_server.replace(/^tcp:\/\//, ''), sidecar.address);
    assert.equal(sidecar.env['HOOKGATE_PLUGIN_ADDRESS'], sidecar.address, 'the plugin serves where the gateway calls');
    const entry = resolve(DIR, sidecar.cwd, sidecar.args[0] ?? '');
    assert.equal(entry, join(PACKAGE_ROOT, 'dist', 'examples', 'ts-auth', 'main.js'));
    assert.ok(existsSync(entry), `${entry} exists after npm run build`);
  });

  it('the API definition names hooks the plugin defines, with their kinds, and needs nothing else unsupported', async () => {
    const file = join(DIR, 'apps', 'ts-auth.json');
    const document = JSON.parse(await readFile(file, 'utf8')) as {
      custom_middleware: { driver: string; auth_check: { name: string }; pre: { name: string }[] };
      enable_coprocess_auth: boolean;
      use_keyless: boolean;
    };
    assert.equal(document.custom_middleware.driver, 'grpc');
    assert.equal(document.enable_coprocess_auth, true);
    assert.equal(document.use_keyless, false);
    assert.equal(plugin.hook(document.custom_middleware.auth_check.name)?.kind, 'auth_check');
    for (const { name } of document.custom_middleware.pre) assert.equal(plugin.hook(name)?.kind, 'pre');
    // With the example's own tyk.conf, the gateway accepts the API as it is.
    const { config } = await loadConfigFile(join(DIR, 'tyk.conf'));
    assert.ok(config);
    const { refused, apis } = loadApiDocuments([{ file, document }], apiLoadContextOf(config));
    assert.deepEqual(refused.flatMap((r) => r.errors.map((e) => e.message)), []);
    assert.equal(apis[0]?.plugins?.authCheck?.name, 'MyAuthMiddleware');
  });
});

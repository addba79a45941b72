import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { coprocessConfig, keylessApi } from '../helpers/apis.js';
import { md5, pythonZip, tree, type ZipSpec } from '../helpers/bundles.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin, type GrpcPlugin } from '../helpers/grpc-plugin.js';
import { request } from '../helpers/http.js';
import { requireProgram } from '../helpers/programs.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const MANIFEST: ZipSpec = { name: 'manifest.json', text: JSON.stringify({ file_list: [], custom_middleware: { driver: 'grpc', pre: [{ name: 'Hook' }] }, checksum: 'd41d8cd98f00b204e9800998ecf8427e' }) };

describe('hostile bundle archives', () => {
  let work: TempDir;
  let outside: string;
  let absolute: string;
  let plugin: GrpcPlugin;
  let up: TestUpstream;
  let gw: GatewayProcess | undefined;
  before(async () => {
    work = await tempDir('hookgate-zip-slip-');
    outside = join(work.path, 'outside');
    absolute = join(work.path, 'absolute-evil.py');
    await work.write('outside/.keep', '');
    await work.write('bundles/.keep', '');
    plugin = await startGrpcPlugin();
    up = await startUpstream();
  });
  after(async () => {
    await gw?.stop();
    await plugin.stop();
    await up.close();
    await work.remove();
  });

  it('refuses zip-slip names, absolute paths, links and oversized archives, writing nothing outside the bundle folder', async (t) => {
    if (!requireProgram(t, 'python3', 'apt-get install python3')) return;
    const archives: Record<string, ZipSpec[]> = {
      'slip.zip': [MANIFEST, { name: '../evil.py', text: 'pwned' }],
      'deep-slip.zip': [MANIFEST, { name: 'lib/../../../../evil-deep.py', text: 'pwned' }],
      'absolute.zip': [MANIFEST, { name: absolute, text: 'pwned' }],
      'backslash.zip': [MANIFEST, { name: '..\\evil-backslash.py', text: 'pwned' }],
      'link.zip': [MANIFEST, { name: 'passwd.py', symlinkTo: '/etc/passwd' }],
      // The classic: a link to a folder outside, then a file written "through" it.
      'link-dir.zip': [MANIFEST, { name: 'lib', symlinkTo: outside }, { name: 'lib/evil-through-link.py', text: 'pwned' }],
      'too-many.zip': [MANIFEST, ...Array.from({ length: 30 }, (_, i) => ({ name: `f${i}.py`, text: 'x' }))],
      'too-big.zip': [MANIFEST, { name: 'big.bin', text: 'x'.repeat(300_000) }],
      'twice.zip': [MANIFEST, { name: 'a.py', text: '1' }, { name: 'A.py', text: '2' }],
      'good.zip': [MANIFEST, { name: 'lib/helper.py', text: 'ok' }],
    };
    for (const [name, entries] of Object.entries(archives)) pythonZip(join(work.path, 'bundles', name), entries);
    const apis: Record<string, unknown> = {};
    for (const name of Object.keys(archives)) {
      const id = name.replace('.zip', '');
      apis[`${id}.json`] = keylessApi(id, `/${id}/`, up.origin, {}, { custom_middleware_bundle: name });
    }
    gw = await startGatewayProcess({
      config: {
        ...coprocessConfig(plugin.address),
        enable_bundle_downloader: true,
        bundle_base_url: `file://${join(work.path, 'bundles')}/`,
        hookgate: { bundles: { max_files: 20, max_unpacked_bytes: 200_000 } },
      },
      apis,
    });

    const expected: Record<string, RegExp> = {
      slip: /entry "..\/evil.py" has a ".." segment/,
      'deep-slip': /entry "lib\/..\/..\/..\/..\/evil-deep.py" has a ".." segment/,
      absolute: /entry ".*absolute-evil.py" has an absolute path/,
      backslash: /entry "..\\\\evil-backslash.py" has a backslash in the name/,
      link: /entry "passwd.py" is a symbolic link/,
      'link-dir': /entry "lib" is a symbolic link/,
      'too-many': /31 entries, more than hookgate.bundles.max_files \(20\)/,
      'too-big': /more than hookgate.bundles.max_unpacked_bytes \(200000 bytes\)/,
      twice: /entry "A.py" appears twice/,
    };
    for (const [id, reason] of Object.entries(expected)) {
      assert.equal((await request(gw.url(`/${id}/x`))).status, 404, id);
      const refusal = gw.logs.find((l) => l.msg.startsWith('API refused') && l['api_id'] === id)?.msg ?? '';
      assert.match(refusal, new RegExp(`bundle "${id}.zip" failed to load: Couldn't save bundle: the archive is refused: `), id);
      assert.match(refusal, reason, id);
    }
    assert.equal((await request(gw.url('/good/x'))).status, 200);

    // Nothing outside the one bundle folder that loaded: no stray files, no temporary folders left.
    const goodFolder = md5('good.zip');
    const gatewayFiles = await tree(gw.dir.path);
    assert.deepEqual(gatewayFiles.filter((p) => p.includes('evil')), []);
    assert.deepEqual(
      gatewayFiles.filter((p) => p.startsWith('middleware/')),
      ['middleware/', 'middleware/bundles/', ...['', 'lib/', 'lib/helper.py', 'manifest.json'].map((p) => `middleware/bundles/${goodFolder}/${p}`)].sort(),
    );
    assert.deepEqual(await tree(outside), ['.keep']);
    assert.equal(existsSync(absolute), false);
    assert.deepEqual((await tree(work.path)).filter((p) => p.includes('evil')), []);
  });
});

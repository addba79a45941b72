import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { coprocessConfig, keylessApi } from '../helpers/apis.js';
import { listZip, md5, opensslKeys, pythonZip, run, type RsaKeys } from '../helpers/bundles.js';
import { runCli, startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin, type GrpcPlugin } from '../helpers/grpc-plugin.js';
import { request } from '../helpers/http.js';
import { hasProgram, requireProgram } from '../helpers/programs.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const POLICY = 'only signed code runs here\n';
const manifestFor = (hook: string) => ({ file_list: ['policy.txt'], custom_middleware: { driver: 'grpc', pre: [{ name: hook }] } });
const bundleApi = (id: string, bundle: string, origin: string) => keylessApi(id, `/${id}/`, origin, {}, { custom_middleware_bundle: bundle });

const tools = (t: TestContext) => requireProgram(t, 'openssl', 'apt-get install openssl') && requireProgram(t, 'python3', 'apt-get install python3');

describe('signed bundles (public_key_path)', () => {
  let work: TempDir;
  let a: RsaKeys;
  let b: RsaKeys;
  let plugin: GrpcPlugin;
  let up: TestUpstream;
  let gw: GatewayProcess | undefined;
  const bundles = (name = '') => join(work.path, 'bundles', name);

  /** Builds bundles/<name> with `hookgate bundle build` from a folder of its own. */
  const build = async (name: string, hook: string, args: string[]) => {
    await work.write(`src-${name}/manifest.json`, manifestFor(hook));
    await work.write(`src-${name}/policy.txt`, POLICY);
    const res = await runCli(['bundle', 'build', '-o', bundles(name), ...args], 20_000, join(work.path, `src-${name}`));
    assert.equal(res.code, 0, res.stderr);
  };

  before(async () => {
    work = await tempDir('hookgate-signing-');
    plugin = await startGrpcPlugin();
    up = await startUpstream();
    if (!hasProgram('openssl') || !hasProgram('python3')) return;
    a = opensslKeys(work.path, 'a');
    b = opensslKeys(work.path, 'b');
    await work.write('bundles/.keep', '');
    await build('good.zip', 'Signed', ['-k', a.pkcs8]);
    await build('other-key.zip', 'OtherKey', ['-k', b.pkcs1]);
    await build('unsigned.zip', 'Unsigned', ['-y']);
    // One byte changed in the listed file; the manifest (checksum, signature) left as signed.
    const signed = listZip(bundles('good.zip'));
    const manifest = signed.find((e) => e.name === 'manifest.json')?.text ?? '';
    const tampered = `${POLICY.slice(0, -2)}!\n`;
    pythonZip(bundles('tampered.zip'), [{ name: 'policy.txt', text: tampered }, { name: 'manifest.json', text: manifest }]);
    // The same, with the checksum fixed up to match: only the signature can catch it.
    const fixed = manifest.replace(md5(POLICY), md5(tampered));
    assert.notEqual(fixed, manifest);
    pythonZip(bundles('tampered-checksum.zip'), [{ name: 'policy.txt', text: tampered }, { name: 'manifest.json', text: fixed }]);
    // Built without Hookgate: python's zipfile and openssl's signature, as another tool would.
    await writeFile(join(work.path, 'policy.txt'), POLICY);
    run('openssl', ['dgst', '-sha256', '-sign', a.pkcs1, '-out', join(work.path, 'sig.bin'), join(work.path, 'policy.txt')]);
    const signature = (await readFile(join(work.path, 'sig.bin'))).toString('base64');
    pythonZip(bundles('openssl.zip'), [
      { name: 'policy.txt', text: POLICY },
      { name: 'manifest.json', text: JSON.stringify({ ...manifestFor('OpensslSigned'), checksum: md5(POLICY), signature }) },
    ]);
  });
  after(async () => {
    await gw?.stop();
    await plugin.stop();
    await up.close();
    await work.remove();
  });

  it('accepts bundles signed with the key, refuses another key, tampering and unsigned bundles; other APIs serve', async (t) => {
    if (!tools(t)) return;
    gw = await startGatewayProcess({
      config: { ...coprocessConfig(plugin.address), enable_bundle_downloader: true, bundle_base_url: `file://${bundles()}/`, public_key_path: a.pub },
      apis: {
        'good.json': bundleApi('good', 'good.zip', up.origin),
        'openssl.json': bundleApi('openssl', 'openssl.zip', up.origin),
        'other.json': bundleApi('other', 'other-key.zip', up.origin),
        'tampered.json': bundleApi('tampered', 'tampered.zip', up.origin),
        'tampered2.json': bundleApi('tampered2', 'tampered-checksum.zip', up.origin),
        'unsigned.json': bundleApi('unsigned', 'unsigned.zip', up.origin),
        'plain.json': keylessApi('plain', '/plain/', up.origin),
      },
    });
    for (const id of ['good', 'openssl', 'plain']) assert.equal((await request(gw.url(`/${id}/x`))).status, 200, id);
    assert.deepEqual(plugin.received.map((o) => o.hook_name).sort(), ['OpensslSigned', 'Signed']);
    const refusal = (id: string) => gw?.logs.find((l) => l.msg.startsWith('API refused') && l['api_id'] === id)?.msg ?? `no refusal logged for ${id}`;
    const expected: [string, string, string][] = [
      ['other', 'other-key.zip', "Couldn't load bundle: crypto/rsa: verification error"],
      ['tampered', 'tampered.zip', "Couldn't load bundle: invalid checksum"],
      ['tampered2', 'tampered-checksum.zip', "Couldn't load bundle: crypto/rsa: verification error"],
      ['unsigned', 'unsigned.zip', "Couldn't load bundle: Bundle isn't signed"],
    ];
    for (const [id, bundle, reason] of expected) {
      assert.equal((await request(gw.url(`/${id}/x`))).status, 404, id);
      assert.equal(refusal(id), `API refused: \`custom_middleware_bundle\`: bundle ${JSON.stringify(bundle)} failed to load: ${reason}; the API is not loaded (as in Tyk)`);
    }
    assert.equal(plugin.received.length, 2, 'no hook of a refused bundle ever runs');
  });

  /** `hookgate check` on a config of its own: the report's lines. */
  const check = async (name: string, config: Record<string, unknown>, apis: Record<string, unknown>) => {
    await work.write(`${name}/tyk.conf`, { ...coprocessConfig('127.0.0.1:1'), enable_bundle_downloader: true, bundle_base_url: `file://${bundles()}/`, app_path: 'apps', ...config });
    for (const [file, api] of Object.entries(apis)) await work.write(`${name}/apps/${file}`, api);
    const res = await runCli(['check', '--conf', join(work.path, name, 'tyk.conf')]);
    return `${res.stdout}${res.stderr}`;
  };

  it('reads RSA PUBLIC KEY (PKCS#1) keys too', async (t) => {
    if (!tools(t)) return;
    const report = await check('pkcs1', { public_key_path: a.rsaPub }, { 'good.json': bundleApi('good', 'good.zip', 'http://up') });
    assert.match(report, /ok: good/);
  });

  it('cached folders: checked again at every load (PartialVerify), unless skip_verify_existing_plugin_bundle', async (t) => {
    if (!tools(t)) return;
    const shared = { middleware_path: join(work.path, 'shared-middleware') };
    const apis = { 'good.json': bundleApi('good', 'good.zip', 'http://up'), 'unsigned.json': bundleApi('unsigned', 'unsigned.zip', 'http://up') };
    // Without a key both load, and land in the cache.
    assert.match(await check('cache-1', shared, apis), /OK: no errors/);
    const cached = join(shared.middleware_path, 'bundles', md5('good.zip'), 'policy.txt');
    await writeFile(cached, 'edited in place\n');
    const withKey = await check('cache-2', { ...shared, public_key_path: a.pub }, apis);
    assert.match(withKey, /good.json \(api_id "good"\): `custom_middleware_bundle`: bundle "good.zip" failed to load: Couldn't load bundle: invalid checksum/);
    // Tyk would load an unsigned cached bundle unchecked even with a key; Hookgate does not.
    assert.match(withKey, /unsigned.json \(api_id "unsigned"\): `custom_middleware_bundle`: bundle "unsigned.zip" failed to load: Couldn't load bundle: Bundle isn't signed/);
    const skipped = await check('cache-3', { ...shared, public_key_path: a.pub, skip_verify_existing_plugin_bundle: true }, apis);
    assert.match(skipped, /OK: no errors/);
  });
});

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { listZip, md5, opensslKeys, run, type RsaKeys } from '../helpers/bundles.js';
import { CLI, runCli } from '../helpers/gateway-process.js';
import { requireProgram } from '../helpers/programs.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';

const MIDDLEWARE = 'from tyk.decorators import *\n\n@Hook\ndef MyAuthMiddleware(request, session, metadata, spec):\n    return request, session, metadata\n';
const HELPERS = 'TOKEN = "47a0c79c427728b3df4af62b9228c8ae"\n';
const MANIFEST = {
  file_list: ['middleware.py', 'helpers.py'],
  custom_middleware: { driver: 'python', auth_check: { name: 'MyAuthMiddleware' } },
};

/** Runs argv[3:] in folder argv[1] on a new pseudo-terminal, answers argv[2] to the question, prints what it showed. */
const ON_TERMINAL = `
import os, pty, sys
folder, answer, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.chdir(folder)
    os.execv(argv[0], argv)
shown, sent = b"", False
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    shown += chunk
    if not sent and b"to confirm" in shown:
        os.write(fd, (answer + "\\n").encode())
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(shown.decode())
sys.exit(os.waitstatus_to_exitcode(status))
`;

const needed = (t: TestContext) => requireProgram(t, 'openssl', 'apt-get install openssl') && requireProgram(t, 'python3', 'apt-get install python3');

describe('hookgate bundle build', () => {
  let dir: TempDir;
  let keys: RsaKeys;
  let other: RsaKeys;
  before(async () => {
    dir = await tempDir('hookgate-bundle-build-');
    await dir.write('plugin/middleware.py', MIDDLEWARE);
    await dir.write('plugin/helpers.py', HELPERS);
    await dir.write('plugin/manifest.json', MANIFEST);
    if (run('sh', ['-c', 'command -v openssl && command -v python3'], { allowFailure: true }).status === 0) {
      keys = opensslKeys(dir.path, 'signer');
      other = opensslKeys(dir.path, 'other');
      // The listed files concatenated in order, as openssl will check them.
      await writeFile(join(dir.path, 'concat.bin'), MIDDLEWARE + HELPERS);
    }
  });
  after(() => dir.remove());
  const plugin = (p = '') => join(dir.path, 'plugin', p);

  it('writes the listed files in order, then manifest.json, deflated, no folders; the checksum is the MD5 of the files', async (t) => {
    if (!needed(t)) return;
    const res = await runCli(['bundle', 'build', '-y'], 20_000, plugin());
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /warning: Using default bundle path 'bundle.zip'/);
    assert.match(res.stderr, /warning: The bundle will be unsigned/);
    assert.match(res.stdout, /Wrote 'bundle.zip' \(\d+ bytes\)/);
    assert.equal((await stat(plugin('bundle.zip'))).mode & 0o777, 0o755);
    const entries = listZip(plugin('bundle.zip'));
    assert.deepEqual(entries.map((e) => [e.name, e.compressType, e.isDir]), [
      ['middleware.py', 8, false],
      ['helpers.py', 8, false],
      ['manifest.json', 8, false],
    ]);
    assert.equal(entries[0]?.text, MIDDLEWARE);
    const manifest = JSON.parse(entries[2]?.text ?? '') as { checksum: string; signature: string };
    const opensslMd5 = run('openssl', ['dgst', '-md5', '-r', join(dir.path, 'concat.bin')]).stdout.split(' ')[0];
    assert.equal(manifest.checksum, opensslMd5);
    assert.equal(manifest.checksum, md5(MIDDLEWARE + HELPERS));
    assert.equal(manifest.signature, '');
    // Go's json.Marshal of the manifest struct: every field, in struct order.
    assert.match(entries[2]?.text ?? '', /^\{"file_list":\["middleware.py","helpers.py"\],"custom_middleware":\{"pre":null,"post":null,"post_key_auth":null,"auth_check":\{"disabled":false,"name":"MyAuthMiddleware"/);
  });

  for (const form of ['pkcs1', 'pkcs8'] as const) {
    it(`signs with a ${form.toUpperCase()} key: openssl verifies the signature over the concatenated files, and not with another key`, async (t) => {
      if (!needed(t)) return;
      const out = join(dir.path, `signed-${form}.zip`);
      const res = await runCli(['bundle', 'build', '--manifest', plugin('manifest.json'), '--output', out, '--key', keys[form]]);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /Signing bundle with key/);
      assert.doesNotMatch(res.stderr, /default bundle path/);
      const manifest = JSON.parse(listZip(out).at(-1)?.text ?? '') as { signature: string };
      const sig = join(dir.path, `sig-${form}.bin`);
      await writeFile(sig, Buffer.from(manifest.signature, 'base64'));
      const verify = (pub: string) => run('openssl', ['dgst', '-sha256', '-verify', pub, '-signature', sig, join(dir.path, 'concat.bin')], { allowFailure: true });
      assert.equal(verify(keys.pub).stdout.trim(), 'Verified OK');
      assert.notEqual(verify(other.pub).status, 0, 'another key does not verify it');
    });
  }

  it('an empty file_list (a gRPC bundle) has the MD5 of nothing', async (t) => {
    if (!needed(t)) return;
    await dir.write('grpc/manifest.json', { file_list: [], custom_middleware: { driver: 'grpc', pre: [{ name: 'AddHeader' }] } });
    const res = await runCli(['bundle', 'build', '-y', '-o', 'g.zip'], 20_000, join(dir.path, 'grpc'));
    assert.equal(res.code, 0, res.stderr);
    const entries = listZip(join(dir.path, 'grpc', 'g.zip'));
    assert.deepEqual(entries.map((e) => e.name), ['manifest.json']);
    assert.equal((JSON.parse(entries[0]?.text ?? '') as { checksum: string }).checksum, 'd41d8cd98f00b204e9800998ecf8427e');
  });

  const refuses: [string, unknown, string, RegExp][] = [
    ['a missing manifest', undefined, 'none.json', /hookgate bundle build: Couldn't load manifest file\n/],
    ['bad JSON', '{"file_list": [', 'bad.json', /hookgate bundle build: invalid JSON at line 1/],
    ['a listed file that does not exist', { file_list: ['middleware.py', 'gone.py'], custom_middleware: { driver: 'python', pre: [{ name: 'P' }] } }, 'gone.json', /hookgate bundle build: Referencing a nonexistent file: gone.py\n/],
    ['no hooks', { file_list: ['middleware.py'], custom_middleware: { driver: 'python' } }, 'nohooks.json', /hookgate bundle build: No hooks defined\n/],
    ['no driver', { file_list: ['middleware.py'], custom_middleware: { pre: [{ name: 'P' }] } }, 'nodriver.json', /hookgate bundle build: No driver specified\n/],
    ['an unsafe listed name', { file_list: ['../outside.py'], custom_middleware: { driver: 'python', pre: [{ name: 'P' }] } }, 'unsafe.json', /Unsafe name in file_list: "..\/outside.py" has a ".." segment/],
  ];
  for (const [what, manifest, name, text] of refuses) {
    it(`refuses ${what}, with Tyk's text, and writes nothing`, async () => {
      if (manifest !== undefined) await dir.write(join('plugin', name), manifest);
      if (what === 'an unsafe listed name') await dir.write('outside.py', 'x');
      const res = await runCli(['bundle', 'build', '-y', '-m', name, '-o', `${name}.zip`], 20_000, plugin());
      assert.equal(res.code, 1);
      assert.match(res.stderr, text);
      assert.equal(existsSync(plugin(`${name}.zip`)), false);
    });
  }

  it('without -k and -y, and with no terminal (CI), refuses instead of building an unsigned bundle', async () => {
    const res = await runCli(['bundle', 'build', '-o', 'unconfirmed.zip'], 20_000, plugin());
    assert.equal(res.code, 1);
    assert.match(res.stderr, /no key was given \(-k\) and there is no terminal to confirm an unsigned bundle on: pass -k <key.pem> to sign it, or -y to build it unsigned/);
    assert.equal(existsSync(plugin('unconfirmed.zip')), false);
  });

  it('on a terminal, asks as Tyk and builds only on "y"', async (t) => {
    if (!needed(t)) return;
    // A real pseudo-terminal from python3's pty module; the answer is typed when the question shows.
    const onTerminal = (answer: string, output: string) =>
      run('python3', ['-c', ON_TERMINAL, plugin(), answer, process.execPath, CLI, 'bundle', 'build', '-o', output], { allowFailure: true });
    const no = onTerminal('n', 'no.zip');
    assert.match(no.stdout, /The bundle will be unsigned, type "y" or "yes" to confirm:/);
    assert.match(no.stdout, /hookgate bundle build: Aborting/);
    assert.equal(no.status, 1);
    assert.equal(existsSync(plugin('no.zip')), false);
    const yes = onTerminal('yes', 'yes.zip');
    assert.equal(yes.status, 0, yes.stdout);
    assert.ok(existsSync(plugin('yes.zip')));
  });

  it('refuses keys it cannot sign with: encrypted, not RSA, not a key', async (t) => {
    if (!needed(t)) return;
    const encrypted = join(dir.path, 'encrypted.pem');
    run('openssl', ['pkcs8', '-topk8', '-in', keys.pkcs1, '-out', encrypted, '-passout', 'pass:secret']);
    const ec = join(dir.path, 'ec.pem');
    run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', ec]);
    const cases: [string, RegExp][] = [
      [encrypted, /Couldn't sign bundle: key .* is encrypted/],
      [ec, /Couldn't sign bundle: key .* is an ec key; bundle signatures are RSA/],
      [keys.pub, /Couldn't sign bundle: key .* is not a PEM private key/],
      [join(dir.path, 'missing.pem'), /Couldn't sign bundle: key .*missing.pem: open: no such file or directory/],
    ];
    for (const [key, text] of cases) {
      const res = await runCli(['bundle', 'build', '-k', key, '-o', 'k.zip'], 20_000, plugin());
      assert.equal(res.code, 1, key);
      assert.match(res.stderr, text);
    }
    assert.equal(existsSync(plugin('k.zip')), false);
  });

  it('is reproducible: the same inputs give the same bytes', async () => {
    const a = await runCli(['bundle', 'build', '-y', '-o', 'r1.zip'], 20_000, plugin());
    const b = await runCli(['bundle', 'build', '-y', '-o', 'r2.zip'], 20_000, plugin());
    assert.equal(a.code, 0);
    assert.equal(b.code, 0);
    assert.deepEqual(await readFile(plugin('r1.zip')), await readFile(plugin('r2.zip')));
  });

  it('explains itself', async () => {
    const help = await runCli(['bundle', 'build', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /-m, --manifest <file>/);
    assert.match(help.stdout, /-y, --skip-signing/);
    const unknown = await runCli(['bundle', 'pack']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "pack"/);
  });
});

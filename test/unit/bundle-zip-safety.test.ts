import assert from 'node:assert/strict';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { EntryChecker, entryKindOf, extractZip, unsafePathReason, writeZip } from '../../gateway/bundles/index.js';
import { isHookgateError } from '../../gateway/errors/index.js';
import { tree } from '../helpers/bundles.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';

const LIMITS = { maxArchiveBytes: 10 * 1024 * 1024, maxUnpackedBytes: 10 * 1024 * 1024, maxFiles: 50 };
const facts = (name: string, extra: Partial<{ externalAttributes: number; uncompressedSize: number; encrypted: boolean; compressionMethod: number }> = {}) => ({
  name,
  externalAttributes: 0,
  uncompressedSize: 1,
  encrypted: false,
  compressionMethod: 8,
  ...extra,
});

describe('entry names', () => {
  it('refuses whatever could leave the bundle folder on some platform', () => {
    const refused: [string, RegExp][] = [
      ['../evil.py', /".." segment/],
      ['a/../../evil.py', /".." segment/],
      ['a/..', /".." segment/],
      ['/etc/passwd', /absolute path/],
      ['C:/x.py', /drive letter/],
      ['c:x.py', /drive letter/],
      ['a\\..\\x.py', /backslash/],
      ['./a.py', /"\." segment/],
      ['a//b.py', /empty path segment/],
      ['', /empty name/],
      ['a\u0000.py', /control character/],
      [`${'x'.repeat(256)}.py`, /longer than 255 bytes/],
    ];
    for (const [name, reason] of refused) assert.match(unsafePathReason(name) ?? 'accepted', reason, JSON.stringify(name));
    for (const name of ['middleware.py', 'lib/helpers/util.py', 'a..b.py', '...py', 'é.py']) assert.equal(unsafePathReason(name), undefined, name);
    assert.equal(unsafePathReason('lib/', true), undefined);
    assert.match(unsafePathReason('lib/') ?? '', /empty path segment/, 'a trailing slash only for folders');
  });

  it('accepts only names that resolve inside the folder (generated names)', () => {
    const root = resolve('/srv/bundles/x');
    const segment = fc.oneof(fc.constantFrom('..', '.', '', 'a', 'b.py', '\\', 'C:', '/'), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segments) => {
        const name = segments.join('/');
        if (unsafePathReason(name) !== undefined) return;
        const target = resolve(root, name);
        assert.ok(target.startsWith(root + sep), `${JSON.stringify(name)} resolves to ${target}`);
        assert.ok(!name.split('/').includes('..'));
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  it('tells files, folders, links and special files apart by Unix mode', () => {
    assert.equal(entryKindOf('a.py', 0), 'file');
    assert.equal(entryKindOf('lib/', 0), 'directory');
    assert.equal(entryKindOf('a.py', 0o100644 << 16), 'file');
    assert.equal(entryKindOf('lib', 0o040755 << 16), 'directory');
    assert.equal(entryKindOf('a.py', (0o120777 << 16) >>> 0), 'symlink');
    assert.equal(entryKindOf('fifo', 0o010644 << 16), 'special');
  });
});

describe('EntryChecker', () => {
  it('refuses links, duplicates (also by case), encryption, odd methods and content in folders', () => {
    const check = (...names: ReturnType<typeof facts>[]) => {
      const c = new EntryChecker(LIMITS);
      return names.map((f) => c.admit(f)).find((r) => r !== undefined);
    };
    assert.match(check(facts('link.py', { externalAttributes: (0o120777 << 16) >>> 0 })) ?? '', /"link.py" is a symbolic link/);
    assert.match(check(facts('a.py'), facts('A.PY')) ?? '', /"A.PY" appears twice/);
    assert.match(check(facts('lib/', { uncompressedSize: 0 }), facts('lib')) ?? '', /appears twice/);
    assert.match(check(facts('a.py', { encrypted: true })) ?? '', /encrypted/);
    assert.match(check(facts('a.py', { compressionMethod: 14 })) ?? '', /compression method 14/);
    assert.match(check(facts('lib/', { uncompressedSize: 3 })) ?? '', /folder entry "lib\/" has content/);
    assert.equal(check(facts('lib/', { uncompressedSize: 0 }), facts('lib/a.py')), undefined);
  });

  it('counts entries and declared bytes against the limits', () => {
    const c = new EntryChecker({ ...LIMITS, maxFiles: 2, maxUnpackedBytes: 10 });
    assert.match(c.declaredCount(3) ?? '', /3 entries, more than hookgate.bundles.max_files \(2\)/);
    assert.equal(c.admit(facts('a', { uncompressedSize: 6 })), undefined);
    assert.match(c.admit(facts('b', { uncompressedSize: 6 })) ?? '', /more than hookgate.bundles.max_unpacked_bytes \(10 bytes\)/);
    const one = new EntryChecker({ ...LIMITS, maxFiles: 1 });
    assert.equal(one.admit(facts('a')), undefined);
    assert.match(one.admit(facts('b')) ?? '', /more than hookgate.bundles.max_files \(1\) entries/);
  });
});

describe('extractZip', () => {
  let dir: TempDir;
  let n = 0;
  const fresh = async () => {
    const sandbox = join(dir.path, `s${n++}`);
    const dest = join(sandbox, 'bundle');
    await mkdir(dest, { recursive: true });
    return { sandbox, dest };
  };
  before(async () => {
    dir = await tempDir('hookgate-zip-');
  });
  after(() => dir.remove());

  it('writes files and folders of a good archive, nothing else', async () => {
    const { sandbox, dest } = await fresh();
    const zip = writeZip([{ name: 'a.py', data: Buffer.from('print(1)\n') }, { name: 'lib/b.py', data: Buffer.alloc(5000, 'b') }]);
    assert.deepEqual(await extractZip(zip, dest, LIMITS), { files: 2, bytes: 5009 });
    assert.deepEqual(await tree(sandbox), ['bundle/', 'bundle/a.py', 'bundle/lib/', 'bundle/lib/b.py']);
    assert.equal(await readFile(join(dest, 'a.py'), 'utf8'), 'print(1)\n');
  });

  it('stops inflating a zip bomb at its declared size', async () => {
    const { dest } = await fresh();
    const zip = writeZip([{ name: 'bomb.bin', data: Buffer.alloc(50 * 1024 * 1024) }]);
    // Claim 1000 bytes in both headers: the data inflates to 50 MiB.
    zip.writeUInt32LE(1000, 22);
    zip.writeUInt32LE(1000, zip.readUInt32LE(zip.length - 6) + 24);
    const started = performance.now();
    await assert.rejects(extractZip(zip, dest, LIMITS), (err) => isHookgateError(err, 'HG_ERR_BUNDLE_ARCHIVE') && /too many bytes/.test(err.message));
    assert.ok(performance.now() - started < 1000, 'refused without inflating it all');
  });

  it('refuses an archive larger than allowed before reading it', async () => {
    const { dest } = await fresh();
    const zip = writeZip([{ name: 'big.bin', data: Buffer.alloc(2000, 1) }]);
    await assert.rejects(extractZip(zip, dest, { ...LIMITS, maxUnpackedBytes: 1000 }), /unpack to more than hookgate.bundles.max_unpacked_bytes/);
    await assert.rejects(extractZip(zip, dest, { ...LIMITS, maxArchiveBytes: 10 }), /more than hookgate.bundles.max_archive_bytes/);
    const many = writeZip(Array.from({ length: 60 }, (_, i) => ({ name: `f${i}`, data: Buffer.from('x') })));
    await assert.rejects(extractZip(many, dest, LIMITS), /60 entries, more than hookgate.bundles.max_files \(50\)/);
  });

  it('mutated archives are refused or extracted inside the folder, never anything else (fixed seed)', async () => {
    const good = writeZip([
      { name: 'manifest.json', data: Buffer.from('{"file_list":["a.py"]}') },
      { name: 'a.py', data: Buffer.from('def hook(request, session, spec):\n    return request, session\n'.repeat(20)) },
      { name: 'lib/util.py', data: Buffer.from('X = 1\n') },
    ]);
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(good.length - 1), value: fc.nat(255) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(good.length - 1), value: fc.constant(0) }),
    );
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        let zip = Buffer.from(good);
        for (const m of mutations) {
          if (m.kind === 'flip') zip[m.at % zip.length] = m.value;
          else zip = zip.subarray(0, m.at % zip.length);
        }
        const { sandbox, dest } = await fresh();
        try {
          await extractZip(zip, dest, LIMITS);
        } catch (err) {
          assert.ok(isHookgateError(err, 'HG_ERR_BUNDLE_ARCHIVE'), `refused with our error, got ${String(err)}`);
          refused++;
        }
        for (const path of await tree(sandbox)) assert.ok(path === 'bundle/' || path.startsWith('bundle/'), `${path} is outside the bundle folder`);
        await rm(sandbox, { recursive: true, force: true });
      }),
      { seed: 20240611, numRuns: 200 },
    );
    assert.ok(refused > 100, `most mutations are refused (${refused} of 200)`);
  });
});

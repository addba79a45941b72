import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { extractZip, writeZip } from '../../gateway/bundles/index.js';
import { isHookgateError } from '../../gateway/errors/index.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';

/**
 * Random mutations of a valid bundle archive fed to the extractor: it resolves or rejects with
 * HG_ERR_BUNDLE_ARCHIVE (its boundary), and nothing is ever written outside its folder: no file
 * beside it, no link, in a sandbox that starts empty each time.
 */

export const RUNS = { archives: 300 } as const;
const SEED = 1105;
const LIMITS = { maxArchiveBytes: 1024 * 1024, maxUnpackedBytes: 1024 * 1024, maxFiles: 20 };

const FILES = [
  { name: 'manifest.json', data: Buffer.from('{"file_list":["middleware.py"],"custom_middleware":{"driver":"python"}}') },
  { name: 'middleware.py', data: Buffer.from('from tyk.decorators import *\n'.repeat(20)) },
  { name: 'lib/util.py', data: Buffer.from('x = 1\n') },
  { name: 'lib/deep/more.py', data: Buffer.alloc(3000, 'm') },
];
const BASE = writeZip(FILES);

/** Names that try to leave the folder, written over an entry's name bytes (local and central). */
const EVIL_NAMES = ['../x.py', '/abs.py', 'a/../../b', '..\\x.py', 'C:/x.py', 'lib/../..', './x', 'a//b', 'x\u0000y', 'lib/./u'];

/** Every path under `root`, as relative paths, with whether each is a symbolic link. */
async function listTree(root: string): Promise<{ path: string; link: boolean }[]> {
  const out: { path: string; link: boolean }[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const full = join(root, entry.name);
    const link = (await lstat(full)).isSymbolicLink();
    out.push({ path: relative(root, full), link });
    if (entry.isDirectory() && !link) out.push(...(await listTree(full)).map((e) => ({ ...e, path: join(entry.name, e.path) })));
  }
  return out;
}

const mutationArb = fc.oneof(
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => ({ kind: 'flip' as const, flips })),
  fc.nat().map((at) => ({ kind: 'truncate' as const, at })),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 40 })).map(([at, bytes]) => ({ kind: 'insert' as const, at, bytes })),
  fc.tuple(fc.constantFrom(...EVIL_NAMES), fc.constantFrom('lib/util.py', 'middleware.py', 'manifest.json')).map(([evil, victim]) => ({ kind: 'rename' as const, evil, victim })),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 ** 32 - 1 })).map(([at, value]) => ({ kind: 'u32' as const, at, value })),
);
type Mutation = typeof mutationArb extends fc.Arbitrary<infer M> ? M : never;

function apply(zip: Buffer, m: Mutation): Buffer {
  const out = Buffer.from(zip);
  if (out.length < 8) return out; // an earlier truncation left almost nothing to mutate
  switch (m.kind) {
    case 'flip':
      for (const [at, value] of m.flips) out[at % out.length] = value;
      return out;
    case 'truncate':
      return out.subarray(0, m.at % out.length);
    case 'insert': {
      const at = m.at % out.length;
      return Buffer.concat([out.subarray(0, at), Buffer.from(m.bytes), out.subarray(at)]);
    }
    case 'u32':
      out.writeUInt32LE(m.value, m.at % (out.length - 4));
      return out;
    case 'rename': {
      // Same-length names keep every offset right, so only the name changes.
      const victim = Buffer.from(m.victim);
      const evil = Buffer.from(m.evil.padEnd(victim.length, 'x').slice(0, Math.max(victim.length, 1)));
      if (evil.length !== victim.length) return out;
      for (let i = out.indexOf(victim); i !== -1; i = out.indexOf(victim, i + 1)) evil.copy(out, i);
      return out;
    }
  }
}

describe('hostile input: mutated bundle archives', () => {
  let dir: TempDir;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await dir.remove();
  });

  it('extracts the unmutated archive', async () => {
    const dest = join(dir.path, 'base', 'bundle');
    await mkdir(dest, { recursive: true });
    assert.deepEqual(await extractZip(BASE, dest, LIMITS), { files: FILES.length, bytes: FILES.reduce((n, f) => n + f.data.length, 0) });
  });

  it(`never throws past its boundary and never writes outside its folder (${RUNS.archives} cases)`, async (t) => {
    const outcomes = { extracted: 0, refused: 0 };
    const sandbox = join(dir.path, 'sandbox');
    await fc.assert(
      fc.asyncProperty(fc.array(mutationArb, { minLength: 1, maxLength: 3 }), async (mutations) => {
        await rm(sandbox, { recursive: true, force: true });
        const dest = join(sandbox, 'bundle');
        await mkdir(dest, { recursive: true });
        const zip = mutations.reduce(apply, BASE);
        try {
          await extractZip(zip, dest, LIMITS);
          outcomes.extracted++;
        } catch (err) {
          assert.ok(isHookgateError(err, 'HG_ERR_BUNDLE_ARCHIVE'), `threw past the boundary: ${String(err)}`);
          outcomes.refused++;
        }
        for (const entry of await listTree(sandbox)) {
          assert.ok(entry.path === 'bundle' || entry.path.startsWith(`bundle${sep}`), `wrote outside the folder: ${entry.path}`);
          assert.ok(!entry.link, `made a link: ${entry.path}`);
        }
      }),
      { seed: SEED, numRuns: RUNS.archives },
    );
    t.diagnostic(`archives: ${RUNS.archives}, extracted: ${outcomes.extracted}, refused: ${outcomes.refused}`);
  });
});

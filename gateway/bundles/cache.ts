import { mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ArchiveLimits } from '../config/index.js';
import { HookgateError } from '../errors/index.js';
import type { Downloaded } from './download.js';
import { parseManifest, type BundleManifest } from './manifest.js';
import { deepVerify, errnoText, partialVerify, type VerifyKey } from './verify.js';
import { extractZip } from './zip-extract.js';

export interface CacheContext {
  readonly key: VerifyKey;
  readonly skipVerifyExisting: boolean;
  readonly limits: ArchiveLimits;
  /** Fetches the named archive; called only when its folder is not in the cache. */
  readonly fetch: (name: string) => Promise<Downloaded>;
}

export interface BundleFolder {
  readonly dir: string;
  readonly manifest: BundleManifest;
  readonly source: 'cache' | 'download';
  /** How the download went, for the log; absent for a cached folder. */
  readonly download?: { readonly attempts: number; readonly downloadMs: number; readonly extractMs: number; readonly verifyMs: number; readonly files: number; readonly bytes: number };
}

async function readManifestIn(dir: string): Promise<BundleManifest> {
  const path = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new HookgateError('HG_ERR_BUNDLE_MANIFEST', `open ${path}: ${errnoText(err)}`, { cause: err });
  }
  const parsed = parseManifest(text);
  if (!parsed.ok) throw new HookgateError('HG_ERR_BUNDLE_MANIFEST', `manifest.json: ${parsed.problems.map((p) => p.message).join('; ')}`);
  return parsed.manifest;
}

async function fromCache(dir: string, context: CacheContext): Promise<BundleFolder> {
  const manifest = await readManifestIn(dir);
  await partialVerify(dir, manifest, context.key, context.skipVerifyExisting);
  return { dir, manifest, source: 'cache' };
}

/**
 * Tyk's cache rule: a bundle's folder that exists is reused without downloading (PartialVerify);
 * otherwise the archive is fetched, extracted into a temporary folder next to it, verified there
 * (DeepVerify), and only then renamed into place, so the folder a bundle is loaded from is always
 * complete and verified, and a failed or interrupted load leaves nothing behind. When another
 * loader (a second gateway on the same middleware_path) renames first, its folder is used.
 */
export async function loadBundleFolder(dest: string, name: string, context: CacheContext): Promise<BundleFolder> {
  const existing = await stat(dest).catch(() => undefined);
  if (existing !== undefined) {
    if (!existing.isDirectory()) throw new HookgateError('HG_ERR_BUNDLE_MANIFEST', `${dest} exists and is not a folder`);
    return fromCache(dest, context);
  }
  const downloaded = await context.fetch(name);
  const parent = dirname(dest);
  await mkdir(parent, { recursive: true, mode: 0o700 });
  const temp = await mkdtemp(join(parent, `.tmp-${basename(dest)}-`));
  try {
    const t0 = performance.now();
    const extracted = await extractZip(downloaded.data, temp, context.limits);
    const t1 = performance.now();
    const manifest = await readManifestIn(temp);
    await deepVerify(temp, manifest, context.key);
    const t2 = performance.now();
    try {
      await rename(temp, dest);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
      await rm(temp, { recursive: true, force: true });
      return fromCache(dest, context);
    }
    return {
      dir: dest,
      manifest,
      source: 'download',
      download: { attempts: downloaded.attempts, downloadMs: downloaded.ms, extractMs: t1 - t0, verifyMs: t2 - t1, files: extracted.files, bytes: extracted.bytes },
    };
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  }
}

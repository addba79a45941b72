import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { HookgateError } from '../errors/index.js';
import { buildProblem, marshalManifest, parseManifest } from './manifest.js';
import { errnoText, loadPrivateKey, signBundle } from './verify.js';
import { writeZip } from './zip-write.js';
import { unsafePathReason } from './zip-safety.js';

export interface BuildOptions {
  readonly manifestPath: string;
  readonly outputPath: string;
  /** Whether outputPath is the default (Tyk warns about it). */
  readonly defaultOutput: boolean;
  readonly keyPath: string | undefined;
  readonly skipSigning: boolean;
  /** Asked when there is neither a key nor skipSigning. */
  readonly confirmUnsigned: () => Promise<'yes' | 'no' | 'no-terminal'>;
  readonly info: (line: string) => void;
  readonly warn: (line: string) => void;
}

export interface BuildResult {
  readonly bytes: number;
  readonly checksum: string;
  readonly signature: string;
  /** Zip entry names, in order. */
  readonly entries: readonly string[];
}

const fail = (message: string, cause?: unknown) => new HookgateError('HG_ERR_BUNDLE_BUILD', message, { cause });

/**
 * Tyk's `tyk bundle build` (protocol.md 4.2): validate the manifest with Tyk's checks and texts,
 * MD5 the listed files concatenated in order, sign the same bytes (RSA PKCS#1 v1.5, SHA-256) or
 * confirm an unsigned bundle, then write the zip: the listed files in order, manifest.json last.
 * Listed files are read from the manifest's folder (Tyk reads the current folder; with the
 * default -m manifest.json both are the same).
 */
export async function buildBundle(o: BuildOptions): Promise<BuildResult> {
  o.info(`Building bundle using '${o.manifestPath}'`);
  let text: string;
  try {
    text = await readFile(o.manifestPath, 'utf8');
  } catch (err) {
    throw fail("Couldn't load manifest file", err);
  }
  const parsed = parseManifest(text);
  if (!parsed.ok) throw fail(parsed.problems.map((p) => p.message).join('\n'));
  for (const w of parsed.warnings) o.warn(w.message);
  const { manifest, raw } = parsed;
  const baseDir = dirname(resolve(o.manifestPath));
  const problem = await buildProblem(manifest, (file) => stat(resolve(baseDir, file)).then(() => true, () => false));
  if (problem !== undefined) throw fail(problem);
  const listed = new Set<string>();
  for (const file of manifest.fileList) {
    const unsafe = unsafePathReason(file);
    if (unsafe !== undefined) throw fail(`Unsafe name in file_list: ${JSON.stringify(file)} has ${unsafe}; gateways refuse such a bundle`);
    if (file === 'manifest.json') throw fail('manifest.json cannot be listed in file_list: the bundler writes it');
    if (listed.has(file)) throw fail(`${JSON.stringify(file)} is listed twice in file_list`);
    listed.add(file);
  }
  if (o.defaultOutput) o.warn(`Using default bundle path '${o.outputPath}'`);

  const contents: Buffer[] = [];
  for (const file of manifest.fileList) {
    try {
      contents.push(await readFile(resolve(baseDir, file)));
    } catch (err) {
      throw fail(`read ${file}: ${errnoText(err)}`, err);
    }
  }
  const data = Buffer.concat(contents);
  const checksum = createHash('md5').update(data).digest('hex');

  let signature = '';
  if (o.keyPath === undefined) {
    if (o.skipSigning) o.warn('The bundle will be unsigned');
    else {
      const answer = await o.confirmUnsigned();
      if (answer === 'no-terminal') {
        throw fail('no key was given (-k) and there is no terminal to confirm an unsigned bundle on: pass -k <key.pem> to sign it, or -y to build it unsigned');
      }
      if (answer === 'no') throw fail('Aborting');
    }
  } else {
    try {
      signature = signBundle(data, await loadPrivateKey(o.keyPath));
    } catch (err) {
      throw fail(`Couldn't sign bundle: ${err instanceof Error ? err.message : String(err)}`, err);
    }
    o.info(`Signing bundle with key '${o.keyPath}'`);
  }

  const manifestJson = Buffer.from(marshalManifest(raw, checksum, signature), 'utf8');
  const entries = [...manifest.fileList.map((name, i) => ({ name, data: contents[i] ?? Buffer.alloc(0) })), { name: 'manifest.json', data: manifestJson }];
  const zip = writeZip(entries);
  try {
    await writeFile(o.outputPath, zip, { mode: 0o755 });
  } catch (err) {
    throw fail(`Couldn't write ${o.outputPath}: ${errnoText(err)}`, err);
  }
  o.info(`Wrote '${o.outputPath}' (${zip.length} bytes)`);
  return { bytes: zip.length, checksum, signature, entries: entries.map((e) => e.name) };
}

import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { fromBufferPromise } from 'yauzl';
import type { ArchiveLimits } from '../config/index.js';
import { HookgateError, isHookgateError } from '../errors/index.js';
import { EntryChecker } from './zip-safety.js';

export interface Extracted {
  readonly files: number;
  readonly bytes: number;
}

const refused = (reason: string, cause?: unknown) => new HookgateError('HG_ERR_BUNDLE_ARCHIVE', `the archive is refused: ${reason}`, { cause });

/** yauzl's name checks run first; their reasons, in the words of EntryChecker. */
function nameReason(message: string): string {
  const m = /^(invalid relative path|absolute path|invalid characters in fileName): (.*)$/s.exec(message);
  if (m === null) return message;
  const why = m[1] === 'invalid relative path' ? 'a ".." segment' : m[1] === 'absolute path' ? 'an absolute path' : 'a backslash in the name';
  return `entry ${JSON.stringify(m[2])} has ${why}`;
}

/** Passes bytes through and fails at the end when their CRC-32 is not the one the archive declares. */
function crcCheck(name: string, expected: number): Transform {
  let crc = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      crc = crc32(chunk, crc);
      done(null, chunk);
    },
    flush(done: TransformCallback) {
      done(crc >>> 0 === expected >>> 0 ? null : refused(`entry ${JSON.stringify(name)} does not match its CRC-32 (corrupt or tampered)`));
    },
  });
}

/**
 * Writes a zip archive's entries into `dest`, an empty folder the caller made for it. yauzl reads
 * the central directory and refuses absolute paths, ".." and backslashes in names and any entry
 * whose data inflates to more or fewer bytes than it declares (it stops inflating at once, so a
 * zip bomb costs no more than the declared size). On top of that, EntryChecker refuses symbolic
 * links, special files, duplicate names and archives over the configured limits, and every file
 * is checked against its CRC-32. Files are created exclusively (never through an existing path),
 * folders with mode 0700 as Tyk; nothing is written outside `dest`.
 */
export async function extractZip(data: Buffer, dest: string, limits: ArchiveLimits): Promise<Extracted> {
  if (data.length > limits.maxArchiveBytes) throw refused(`it is ${data.length} bytes, more than hookgate.bundles.max_archive_bytes (${limits.maxArchiveBytes})`);
  const root = resolve(dest);
  const checker = new EntryChecker(limits);
  let files = 0;
  let bytes = 0;
  try {
    const zip = await fromBufferPromise(data, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, strictFileNames: true });
    const tooMany = checker.declaredCount(zip.entryCount);
    if (tooMany !== undefined) throw refused(tooMany);
    for await (const entry of zip.eachEntry()) {
      const facts = {
        name: entry.fileName,
        externalAttributes: entry.externalFileAttributes,
        uncompressedSize: entry.uncompressedSize,
        encrypted: entry.isEncrypted(),
        compressionMethod: entry.compressionMethod,
      };
      const problem = checker.admit(facts);
      if (problem !== undefined) throw refused(problem);
      const target = resolve(root, entry.fileName);
      if (!target.startsWith(root + sep)) throw refused(`entry ${JSON.stringify(entry.fileName)} would be written outside the bundle folder`);
      if (entry.fileName.endsWith('/')) {
        await mkdir(target, { recursive: true, mode: 0o700 });
        continue;
      }
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await pipeline(await zip.openReadStreamPromise(entry), crcCheck(entry.fileName, entry.crc32), createWriteStream(target, { flags: 'wx', mode: 0o644 }));
      files += 1;
      bytes += entry.uncompressedSize;
    }
  } catch (err) {
    if (isHookgateError(err)) throw err;
    throw refused(nameReason(err instanceof Error ? err.message : String(err)), err);
  }
  return { files, bytes };
}

import type { ArchiveLimits } from '../config/index.js';

/**
 * The rules an archive entry must pass before anything is written, as pure functions (the
 * extractor applies them; unit tests throw generated names and archives at them).
 */

/** Unix file type bits of a zip entry's external attributes (the high 16 bits, when set). */
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

export type EntryKind = 'file' | 'directory' | 'symlink' | 'special';

/** What an entry is, from its name (a trailing "/" is a folder) and its Unix mode, if any. */
export function entryKindOf(name: string, externalAttributes: number): EntryKind {
  const type = (externalAttributes >>> 16) & S_IFMT;
  if (type === S_IFLNK) return 'symlink';
  const folder = name.endsWith('/');
  if (type === 0) return folder ? 'directory' : 'file';
  if (type === S_IFDIR) return 'directory';
  if (type === S_IFREG) return folder ? 'special' : 'file';
  return 'special';
}

/**
 * Why a relative path from an archive or a manifest's file_list is unsafe, or undefined when it
 * is safe: it must stay inside the bundle folder on every platform. Stricter than Tyk (which
 * cleans "a/../b" to "b" and accepts it): no ".." or "." segment at all, no empty segment, no
 * backslash, no drive letter, no control character. A folder entry may end with one "/".
 */
export function unsafePathReason(path: string, allowFolder = false): string | undefined {
  if (path === '') return 'an empty name';
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'a control character in the name';
  if (path.includes('\\')) return 'a backslash in the name';
  if (path.startsWith('/')) return 'an absolute path';
  if (/^[A-Za-z]:/.test(path)) return 'a drive letter';
  const body = allowFolder && path.endsWith('/') ? path.slice(0, -1) : path;
  const segments = body.split('/');
  if (segments.includes('..')) return 'a ".." segment';
  if (segments.includes('.')) return 'a "." segment';
  if (segments.includes('')) return 'an empty path segment';
  if (segments.some((s) => Buffer.byteLength(s) > 255)) return 'a path segment longer than 255 bytes';
  return undefined;
}

export interface EntryFacts {
  readonly name: string;
  readonly externalAttributes: number;
  readonly uncompressedSize: number;
  readonly encrypted: boolean;
  readonly compressionMethod: number;
}

/**
 * Tracks an archive's entries as they are read: every rule that depends on one entry or on the
 * entries before it. `admit` returns why the entry is refused, or undefined.
 */
export class EntryChecker {
  private readonly seen = new Set<string>();
  private count = 0;
  private total = 0;

  constructor(private readonly limits: ArchiveLimits) {}

  /** Checked before any entry is read: the count the archive's end record declares. */
  declaredCount(entryCount: number): string | undefined {
    if (entryCount > this.limits.maxFiles) return `it has ${entryCount} entries, more than hookgate.bundles.max_files (${this.limits.maxFiles})`;
    return undefined;
  }

  admit(entry: EntryFacts): string | undefined {
    const name = JSON.stringify(entry.name);
    const kind = entryKindOf(entry.name, entry.externalAttributes);
    if (kind === 'symlink') return `entry ${name} is a symbolic link`;
    if (kind === 'special') return `entry ${name} is not a regular file or folder`;
    const unsafe = unsafePathReason(entry.name, kind === 'directory');
    if (unsafe !== undefined) return `entry ${name} has ${unsafe}`;
    if (entry.encrypted) return `entry ${name} is encrypted`;
    if (kind === 'file' && entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
      return `entry ${name} uses compression method ${entry.compressionMethod} (only stored and deflate are read)`;
    }
    if (kind === 'directory' && entry.uncompressedSize !== 0) return `folder entry ${name} has content`;
    // One name per file, also on case-insensitive file systems.
    const key = entry.name.replace(/\/$/, '').toLowerCase();
    if (this.seen.has(key)) return `entry ${name} appears twice`;
    this.seen.add(key);
    this.count += 1;
    if (this.count > this.limits.maxFiles) return `it has more than hookgate.bundles.max_files (${this.limits.maxFiles}) entries`;
    this.total += entry.uncompressedSize;
    if (this.total > this.limits.maxUnpackedBytes) {
      return `its files unpack to more than hookgate.bundles.max_unpacked_bytes (${this.limits.maxUnpackedBytes} bytes)`;
    }
    return undefined;
  }
}

import { createHash } from 'node:crypto';
import { isAbsolute, posix, resolve } from 'node:path';

export const md5Hex = (data: string | Uint8Array): string => createHash('md5').update(data).digest('hex');

/** Tyk's parseBundleNames: split on commas, trim, drop empty entries. */
export function parseBundleNames(value: string): string[] {
  return value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/**
 * Tyk takes its single-bundle path only for one bare name equal to the whole value; anything else
 * (a list, or one name with spaces or commas around it) takes the multi-bundle path.
 */
export const isSingleBundle = (value: string, names: readonly string[]): boolean => names.length === 1 && names[0] === value;

/** Go's filepath.Ext: from the last "." of the last path element (".zip" for ".zip"). */
function goExt(name: string): string {
  for (let i = name.length - 1; i >= 0 && name[i] !== '/'; i--) {
    if (name[i] === '.') return name.slice(i);
  }
  return '';
}

/**
 * Tyk's bundleSubdirName: the folder of one bundle of a list, under the API's bundle folder.
 * The name without its extension, "/" and "\" as "__". Tyk would also use "." and ".." (a name
 * such as "...zip"), which leave the folder; those get the hash fallback, like an empty name.
 */
export function bundleSubdirName(name: string): string {
  const clean = name.slice(0, name.length - goExt(name).length).replaceAll('/', '__').replaceAll('\\', '__');
  if (clean === '' || clean === '.' || clean === '..') return `bundle_${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
  return clean;
}

export type BundleSource = { readonly kind: 'http'; readonly url: string; readonly secure: boolean } | { readonly kind: 'file'; readonly path: string; readonly url: string };

/**
 * Where a bundle is fetched from: `bundle_base_url` with its path joined to the name (Go's
 * path.Join, so "http://h/b/" + "x.zip" is "http://h/b/x.zip"). A `file://` base is Tyk's "strip
 * the scheme" rule: `file://testdata/` is the relative folder testdata, `file:///srv/b/` is
 * absolute; relative paths resolve against `baseDir`. Throws "Unknown URL scheme" as Tyk.
 */
export function bundleSource(baseUrl: string, name: string, baseDir: string): BundleSource {
  if (baseUrl.startsWith('file://')) {
    const joined = posix.join(baseUrl.slice('file://'.length), name);
    const path = isAbsolute(joined) ? joined : resolve(baseDir, joined);
    return { kind: 'file', path, url: `file://${joined}` };
  }
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`parse ${JSON.stringify(baseUrl)}: invalid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('Unknown URL scheme');
  url.pathname = posix.join(url.pathname === '' ? '/' : url.pathname, name);
  return { kind: 'http', url: url.toString(), secure: url.protocol === 'https:' };
}

import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Problem } from '../validation/index.js';
import { readBundleManifest, type BundleManifest } from './manifest.js';
import type { ApiDefinition } from './schema.js';

/** Where bundles are found, from the gateway's config. */
export interface BundleContext {
  /** Absolute middleware_path: extracted bundles are in `<middleware_path>/bundles/<md5 of name>`. */
  readonly middlewarePath: string;
  /** public_key_path ("" when unset). */
  readonly publicKeyPath: string;
}

/** An API's bundle, found on disk and its manifest read. */
export interface ResolvedBundle {
  /** Absolute folder holding manifest.json and the listed files. */
  readonly dir: string;
  /** custom_middleware_bundle, or the folder's name: how logs name the plugin. */
  readonly name: string;
  readonly manifest: BundleManifest;
}

export type BundleResolution =
  | { readonly kind: 'none' }
  | { readonly kind: 'bundle'; readonly def: ApiDefinition; readonly bundle: ResolvedBundle; readonly warnings: readonly Problem[] }
  | { readonly kind: 'invalid'; readonly errors: readonly Problem[] };

/** Tyk's folder for an extracted bundle: `<middleware_path>/bundles/<md5 hex of custom_middleware_bundle>`. */
export function tykBundleDir(middlewarePath: string, bundleName: string): string {
  return join(middlewarePath, 'bundles', createHash('md5').update(bundleName).digest('hex'));
}

const isFolder = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;

/**
 * Finds an API's bundle folder and applies its manifest as Tyk does (`AddToSpec`: the manifest's
 * custom_middleware replaces the API's). The folder is `hookgate.bundle_path` (relative to the
 * definition file), or the folder Tyk extracts `custom_middleware_bundle` into, used as it is when
 * it exists (Tyk's cache rule: an existing folder is never downloaded again).
 */
export function resolveBundle(def: ApiDefinition, file: string, context: BundleContext): BundleResolution {
  const name = def.custom_middleware_bundle.trim();
  const local = def.hookgate.bundle_path;
  if (def.custom_middleware_bundle_disabled || (name === '' && local === '')) return { kind: 'none' };
  const invalid = (path: string, message: string): BundleResolution => ({ kind: 'invalid', errors: [{ path, message: `\`${path}\`: ${message}` }] });
  if (name !== '' && local !== '') {
    return invalid('hookgate.bundle_path', 'set either custom_middleware_bundle (a bundle by name) or hookgate.bundle_path (a bundle folder), not both');
  }
  if (name.includes(',')) {
    return invalid('custom_middleware_bundle', `several bundles (${JSON.stringify(name)}) are not supported by Hookgate yet; the API is refused rather than served without them`);
  }
  const dir = local !== '' ? resolve(dirname(file), local) : tykBundleDir(context.middlewarePath, name);
  if (!isFolder(dir)) {
    if (local !== '') return invalid('hookgate.bundle_path', `folder ${dir} does not exist`);
    return invalid(
      'custom_middleware_bundle',
      `bundle ${JSON.stringify(name)} is not in ${dir} (where Tyk keeps it once extracted), and downloading bundles (enable_bundle_downloader) is not supported by Hookgate yet; the API is refused rather than served without it`,
    );
  }
  const read = readBundleManifest(dir);
  if (!read.ok) return { kind: 'invalid', errors: read.problems };
  const manifest = read.manifest;
  if (local === '' && context.publicKeyPath !== '' && manifest.signature !== '') {
    return invalid('custom_middleware_bundle', `bundle ${JSON.stringify(name)} is signed and public_key_path is set, but checking bundle signatures is not supported by Hookgate yet; the API is refused rather than served unchecked`);
  }
  const warnings = [...read.warnings];
  const own = def.custom_middleware;
  if (own.driver !== '' || own.auth_check.name !== '' || own.pre.length + own.post.length + own.post_key_auth.length + own.response.length > 0) {
    warnings.push({ path: 'custom_middleware', message: "`custom_middleware` is replaced by the bundle's manifest.json (as Tyk does): the hooks and driver written in the API definition are not used" });
  }
  return {
    kind: 'bundle',
    def: { ...def, custom_middleware: manifest.custom_middleware },
    bundle: { dir, name: name !== '' ? name : basename(dir), manifest },
    warnings,
  };
}

import { statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { valueAt, type Problem } from '../validation/index.js';
import { readBundleManifest } from './manifest.js';
import { isOasDocument, TYK_EXTENSION_KEY } from './oas/index.js';
import type { ApiDefinition, CustomMiddleware } from './schema.js';

/**
 * A plugin bundle, downloaded now or found in the cache, and verified. Its manifest's
 * `custom_middleware` replaces the API's own (protocol.md 4.1, Tyk's `AddToSpec`).
 */
export interface LoadedBundle {
  /** `custom_middleware_bundle` as written: one name, or Tyk's comma-separated list (protocol.md 4.7). */
  readonly name: string;
  /** The verified folder; for a list, the folder holding one subfolder per bundle. */
  readonly dir: string;
  readonly customMiddleware: CustomMiddleware;
  /**
   * `cache`: an existing folder was reused; `download`: fetched, extracted and verified now;
   * `folder`: the operator's own folder (hookgate.bundle_path), used as it is.
   */
  readonly source: 'cache' | 'download' | 'folder';
}

export type BundleOutcome =
  | { readonly ok: true; readonly bundle: LoadedBundle }
  | { readonly ok: false; readonly name: string; readonly reason: string };

/** Loads what an API's `custom_middleware_bundle` names. Resolves with a failure, never rejects. */
export type BundleLoader = (name: string) => Promise<BundleOutcome>;

/** The bundle an API asks for: undefined when it names none or has `custom_middleware_bundle_disabled`. */
export function bundleNameOf(def: Pick<ApiDefinition, 'custom_middleware_bundle' | 'custom_middleware_bundle_disabled'>): string | undefined {
  if (def.custom_middleware_bundle_disabled) return undefined;
  // As Tyk (parseBundleNames): a value of only commas and spaces names nothing.
  return def.custom_middleware_bundle.split(',').some((n) => n.trim() !== '') ? def.custom_middleware_bundle : undefined;
}

/**
 * The same, read from a document not validated yet (Classic or Tyk OAS), so bundles can load
 * while definitions are checked.
 */
export function requestedBundleOf(document: unknown): string | undefined {
  if (isOasDocument(document)) {
    const ext = valueAt(document[TYK_EXTENSION_KEY], ['middleware', 'global', 'pluginConfig', 'bundle']);
    if (valueAt(document[TYK_EXTENSION_KEY], ['info', 'state', 'active']) === false) return undefined;
    const path = valueAt(ext, ['path']);
    if (typeof path !== 'string') return undefined;
    return bundleNameOf({ custom_middleware_bundle: path, custom_middleware_bundle_disabled: valueAt(ext, ['enabled']) !== true });
  }
  if (document === null || typeof document !== 'object') return undefined;
  const doc = document as Record<string, unknown>;
  if (doc['active'] === false) return undefined;
  const name = doc['custom_middleware_bundle'];
  if (typeof name !== 'string') return undefined;
  return bundleNameOf({ custom_middleware_bundle: name, custom_middleware_bundle_disabled: doc['custom_middleware_bundle_disabled'] === true });
}

export type AppliedBundle =
  | { readonly kind: 'none' }
  | { readonly kind: 'loaded'; readonly def: ApiDefinition; readonly bundle: LoadedBundle; readonly warnings: readonly Problem[] }
  | { readonly kind: 'failed'; readonly name: string; readonly reason: string; readonly problems: readonly Problem[] };

/**
 * Puts the API's bundle in place of its custom_middleware, or says why the API cannot load: the
 * bundle `custom_middleware_bundle` names (loaded beforehand into `outcome`), or the folder
 * `hookgate.bundle_path` names, relative to the definition's `file`.
 */
export function applyBundle(def: ApiDefinition, outcome: BundleOutcome | undefined, file = ''): AppliedBundle {
  const name = bundleNameOf(def);
  if (def.hookgate.bundle_path !== '') {
    if (name === undefined) return applyBundleFolder(def, resolve(dirname(file), def.hookgate.bundle_path));
    const message = '`hookgate.bundle_path`: set either custom_middleware_bundle (a bundle by name) or hookgate.bundle_path (a bundle folder), not both';
    return { kind: 'failed', name, reason: message, problems: [{ path: 'hookgate.bundle_path', message }] };
  }
  if (name === undefined) return { kind: 'none' };
  const fail = (reason: string): AppliedBundle => ({
    kind: 'failed',
    name,
    reason,
    problems: [{ path: 'custom_middleware_bundle', message: `\`custom_middleware_bundle\`: bundle ${JSON.stringify(name)} failed to load: ${reason}; the API is not loaded (as in Tyk)` }],
  });
  if (outcome === undefined) return fail('bundles are loaded by the gateway and `hookgate check`, not by this caller');
  if (!outcome.ok) return fail(outcome.reason);
  return loadedBundle(def, outcome.bundle, []);
}

/** The API with its bundle's custom_middleware, warning when that hides hooks the definition names. */
function loadedBundle(def: ApiDefinition, bundle: LoadedBundle, warnings: readonly Problem[]): AppliedBundle {
  const own = def.custom_middleware;
  const hidden = own.driver !== '' || own.auth_check.name !== '' || own.pre.length + own.post.length + own.post_key_auth.length + own.response.length > 0;
  const replaced: Problem = {
    path: 'custom_middleware',
    message: "`custom_middleware` is replaced by the bundle's manifest.json (as Tyk does): the hooks and driver written in the API definition are not used",
  };
  return { kind: 'loaded', def: { ...def, custom_middleware: bundle.customMiddleware }, bundle, warnings: hidden ? [...warnings, replaced] : warnings };
}

/**
 * A bundle folder of the operator's own (manifest.json and its files, as a bundle extracts to):
 * read in place, nothing downloaded, so no checksum or signature to check (docs/bundles.md).
 */
function applyBundleFolder(def: ApiDefinition, dir: string): AppliedBundle {
  const name = basename(dir);
  const failed = (problems: readonly Problem[]): AppliedBundle => ({ kind: 'failed', name, reason: problems.map((p) => p.message).join('; '), problems });
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory() !== true) {
    return failed([{ path: 'hookgate.bundle_path', message: `\`hookgate.bundle_path\`: folder ${dir} does not exist` }]);
  }
  const read = readBundleManifest(dir);
  if (!read.ok) return failed(read.problems);
  return loadedBundle(def, { name, dir, customMiddleware: read.manifest.customMiddleware, source: 'folder' }, read.warnings);
}

/** Says where a problem about `custom_middleware` really comes from when a bundle supplied it. */
export function attributeToBundle(problem: Problem, bundle: LoadedBundle): Problem {
  if (!problem.path.startsWith('custom_middleware') || problem.path.startsWith('custom_middleware_bundle')) return problem;
  return { path: problem.path, message: `${problem.message} (custom_middleware comes from bundle ${JSON.stringify(bundle.name)})` };
}

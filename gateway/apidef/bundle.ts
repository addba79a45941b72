import { valueAt, type Problem } from '../validation/index.js';
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
  /** `cache`: an existing folder was reused; `download`: fetched, extracted and verified now. */
  readonly source: 'cache' | 'download';
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
  | { readonly kind: 'loaded'; readonly def: ApiDefinition; readonly bundle: LoadedBundle }
  | { readonly kind: 'failed'; readonly name: string; readonly reason: string; readonly problem: Problem };

/** Puts a loaded bundle's custom_middleware in place of the API's, or says why the API cannot load. */
export function applyBundle(def: ApiDefinition, outcome: BundleOutcome | undefined): AppliedBundle {
  const name = bundleNameOf(def);
  if (name === undefined) return { kind: 'none' };
  const fail = (reason: string): AppliedBundle => ({
    kind: 'failed',
    name,
    reason,
    problem: { path: 'custom_middleware_bundle', message: `\`custom_middleware_bundle\`: bundle ${JSON.stringify(name)} failed to load: ${reason}; the API is not loaded (as in Tyk)` },
  });
  if (outcome === undefined) return fail('bundles are loaded by the gateway and `hookgate check`, not by this caller');
  if (!outcome.ok) return fail(outcome.reason);
  return { kind: 'loaded', def: { ...def, custom_middleware: outcome.bundle.customMiddleware }, bundle: outcome.bundle };
}

/** Says where a problem about `custom_middleware` really comes from when a bundle supplied it. */
export function attributeToBundle(problem: Problem, bundle: LoadedBundle): Problem {
  if (!problem.path.startsWith('custom_middleware') || problem.path.startsWith('custom_middleware_bundle')) return problem;
  return { path: problem.path, message: `${problem.message} (custom_middleware comes from bundle ${JSON.stringify(bundle.name)})` };
}

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { deepFreeze, readJsonFile, validateDocument, valueAt, type Problem } from '../validation/index.js';
import { oasAuthPlan, type AuthPlan } from './auth/index.js';
import { applyBundle, attributeToBundle, requestedBundleOf, type AppliedBundle, type BundleLoader, type BundleOutcome } from './bundle.js';
import { checkApiFeatures, NO_PLUGINS, type ApiLoadContext, type FeatureCheck } from './features.js';
import { apiSpecOf, routePrefixOf, type ApiSpec } from './model.js';
import { isOasDocument, readOasApi, TYK_EXTENSION_KEY } from './oas/index.js';
import { apiDefinitionSchema, type ApiDefinition } from './schema.js';
import { TYK_APIDEF_FOREIGN_FIELDS } from './tyk-fields.js';

/** A definition that was not loaded, and why. Its listen path, when readable, is blocked. */
export interface RefusedApi {
  readonly file: string;
  readonly apiId: string | undefined;
  /** Normalised listen path, if the file had a usable one. */
  readonly routePrefix: string | undefined;
  readonly errors: readonly Problem[];
  /** Set when the plugin bundle was the only reason (a last good version may keep serving on reload). */
  readonly bundleFailure?: { readonly name: string; readonly reason: string };
}

export interface ApiLoadResult {
  readonly apis: readonly ApiSpec[];
  readonly refused: readonly RefusedApi[];
  /** Definitions with `active: false`, by file. */
  readonly inactive: readonly string[];
  readonly warnings: readonly { readonly file: string; readonly problem: Problem }[];
}

/**
 * Loads every `*.json` file of `dir` (not recursive, as Tyk), in name order: Classic and Tyk OAS definitions. With `bundles`, the
 * plugin bundles the definitions name are loaded first (each name once, side by side).
 */
export async function loadApiDefinitions(dir: string, context: ApiLoadContext = NO_PLUGINS, bundles?: BundleLoader): Promise<ApiLoadResult> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.json'))
    .map((entry) => entry.name)
    .sort();
  const documents = await Promise.all(
    names.map(async (name) => ({ file: join(dir, name), parsed: await readJsonFile(join(dir, name)) })),
  );
  const requested = documents.map(({ parsed }) => (parsed.ok ? requestedBundleOf(parsed.value) : undefined));
  const outcomes = new Map<string, Promise<BundleOutcome>>();
  for (const name of requested) {
    if (bundles !== undefined && name !== undefined && !outcomes.has(name)) outcomes.set(name, bundles(name));
  }
  const resolved = await Promise.all(requested.map((name) => (name === undefined ? undefined : outcomes.get(name))));
  return loadApiDocuments(
    documents.map(({ file, parsed }, i) => ({
      file,
      document: parsed.ok ? parsed.value : undefined,
      readProblem: parsed.ok ? undefined : parsed.problem,
      bundle: resolved[i],
    })),
    context,
  );
}

export interface ApiDocument {
  readonly file: string;
  readonly document: unknown;
  /** Set when the file could not be read or parsed. */
  readonly readProblem?: string | undefined;
  /** The outcome of loading the plugin bundle the document names, if any. */
  readonly bundle?: BundleOutcome | undefined;
}

/** Validates definitions and resolves conflicts between them (first file wins). */
export function loadApiDocuments(documents: readonly ApiDocument[], context: ApiLoadContext = NO_PLUGINS): ApiLoadResult {
  const apis: ApiSpec[] = [];
  const refused: RefusedApi[] = [];
  const inactive: string[] = [];
  const warnings: { file: string; problem: Problem }[] = [];
  const byId = new Map<string, ApiSpec>();
  const byPrefix = new Map<string, ApiSpec>();

  for (const { file, document, readProblem, bundle } of documents) {
    if (readProblem !== undefined) {
      refused.push({ file, apiId: undefined, routePrefix: undefined, errors: [{ path: '(file)', message: readProblem }] });
      continue;
    }
    const read = readDefinition(document, file, context, bundle);
    const { def, features, errors } = read;
    for (const problem of read.warnings) warnings.push({ file, problem });
    if (def !== undefined && !def.active) {
      inactive.push(file);
      continue;
    }
    if (def === undefined || errors.length > 0) {
      const failed = read.applied.kind === 'failed' ? read.applied : undefined;
      const onlyBundle = failed !== undefined && errors.length === failed.problems.length;
      refused.push({
        file,
        apiId: read.apiId,
        routePrefix: read.routePrefix,
        errors,
        ...(onlyBundle ? { bundleFailure: { name: failed.name, reason: failed.reason } } : {}),
      });
      continue;
    }

    const plan = features?.plugins;
    const loaded = read.applied.kind === 'loaded' ? read.applied.bundle : undefined;
    const spec = apiSpecOf(def, file, plan !== undefined && loaded !== undefined ? { ...plan, bundleDir: loaded.dir } : plan, features?.auth, features?.upstream, features?.tls);
    const sameId = byId.get(spec.id);
    const routeKey = `${spec.tls.domain} ${spec.routePrefix}`;
    const samePrefix = byPrefix.get(routeKey);
    const conflicts: Problem[] = [];
    if (sameId !== undefined) {
      conflicts.push({ path: 'api_id', message: `\`api_id\` ${JSON.stringify(spec.id)} is already used by ${sameId.file}` });
    }
    if (samePrefix !== undefined) {
      conflicts.push({
        path: 'proxy.listen_path',
        message: `\`proxy.listen_path\` ${JSON.stringify(spec.listenPath)} is already served by API ${JSON.stringify(samePrefix.id)} (${samePrefix.file})${spec.tls.domain === '' ? '' : ` on ${spec.tls.domain}`}`,
      });
    }
    if (conflicts.length > 0) {
      // The listen path stays with the API that has it; do not block it.
      refused.push({ file, apiId: spec.id, routePrefix: undefined, errors: conflicts });
      continue;
    }
    byId.set(spec.id, spec);
    byPrefix.set(routeKey, spec);
    apis.push(deepFreeze(spec));
  }
  return { apis, refused, inactive, warnings };
}

interface ReadDefinition {
  readonly def: ApiDefinition | undefined;
  readonly features: FeatureCheck | undefined;
  readonly errors: Problem[];
  readonly warnings: Problem[];
  /** Whether a plugin bundle replaced the definition's custom_middleware. */
  readonly applied: AppliedBundle;
  /** What could be read of the API's id and listen path, for a refused API. */
  readonly apiId: string | undefined;
  readonly routePrefix: string | undefined;
}

/**
 * A Classic definition, or a Tyk OAS one read into the Classic model (with its security
 * requirements), checked against what this version implements. OAS problems found on the Classic
 * form are reported at the OAS path they came from.
 */
function readDefinition(document: unknown, file: string, context: ApiLoadContext, bundle: BundleOutcome | undefined): ReadDefinition {
  const none: AppliedBundle = { kind: 'none' };
  if (isOasDocument(document)) {
    const oas = readOasApi(document);
    const ext = document[TYK_EXTENSION_KEY];
    const apiId = readString(valueAt(ext, ['info']), 'id');
    const listenPath = readString(valueAt(ext, ['server', 'listenPath']), 'value');
    const routePrefix = listenPath?.startsWith('/') ? routePrefixOf(listenPath) : undefined;
    const errors = [...oas.errors];
    const warnings = [...oas.warnings];
    if (oas.classic === undefined) return { def: undefined, features: undefined, errors, warnings, applied: none, apiId, routePrefix };
    const result = validateDocument(apiDefinitionSchema, oas.classic, TYK_APIDEF_FOREIGN_FIELDS);
    errors.push(...result.errors.map(oas.locate));
    warnings.push(...result.warnings.map(oas.locate));
    const checked = checkDefinition(result.parsed, file, context, bundle, (def) => (oas.security === undefined ? undefined : oasAuthPlan(def, oas.security)));
    errors.push(...checked.errors.map(oas.locate));
    warnings.push(...checked.warnings.map(oas.locate));
    return { def: checked.def, features: checked.features, errors, warnings, applied: checked.applied, apiId, routePrefix };
  }
  const result = validateDocument(apiDefinitionSchema, document, TYK_APIDEF_FOREIGN_FIELDS);
  const checked = checkDefinition(result.parsed, file, context, bundle, () => undefined);
  return {
    def: checked.def,
    features: checked.features,
    errors: [...result.errors, ...checked.errors],
    warnings: [...result.warnings, ...checked.warnings],
    applied: checked.applied,
    apiId: readString(document, 'api_id'),
    routePrefix: readListenPrefix(document),
  };
}

/**
 * Puts the API's plugin bundle in place (a bundle's manifest replaces custom_middleware), then
 * checks the result against what this version implements. Problems that a bundle's manifest
 * caused say so.
 */
function checkDefinition(
  parsed: ApiDefinition | undefined,
  file: string,
  context: ApiLoadContext,
  bundle: BundleOutcome | undefined,
  authPlanOf: (def: ApiDefinition) => AuthPlan | undefined,
): { def: ApiDefinition | undefined; features: FeatureCheck | undefined; applied: AppliedBundle; errors: Problem[]; warnings: Problem[] } {
  const applied: AppliedBundle = parsed === undefined || !parsed.active ? { kind: 'none' } : applyBundle(parsed, bundle, file);
  const errors: Problem[] = applied.kind === 'failed' ? [...applied.problems] : [];
  const def = applied.kind === 'loaded' ? applied.def : parsed;
  const loaded = applied.kind === 'loaded' ? applied.bundle : undefined;
  // Without its bundle the API's hooks are unknown: checking them would only add noise.
  const bundleWarnings = applied.kind === 'loaded' ? applied.warnings : [];
  if (def === undefined || applied.kind === 'failed') return { def, features: undefined, applied, errors, warnings: [] };
  const features = checkApiFeatures(def, context, authPlanOf(def), loaded);
  const attribute = (p: Problem) => (loaded === undefined ? p : attributeToBundle(p, loaded));
  errors.push(...features.errors.map(attribute));
  return { def, features, applied, errors, warnings: [...bundleWarnings, ...features.warnings.map(attribute)] };
}

function readString(document: unknown, key: string): string | undefined {
  if (document === null || typeof document !== 'object') return undefined;
  const value = (document as Record<string, unknown>)[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function readListenPrefix(document: unknown): string | undefined {
  if (document === null || typeof document !== 'object') return undefined;
  const proxy = (document as Record<string, unknown>)['proxy'];
  const listenPath = readString(proxy, 'listen_path');
  return listenPath?.startsWith('/') ? routePrefixOf(listenPath) : undefined;
}

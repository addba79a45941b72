import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { deepFreeze, readJsonFile, validateDocument, type Problem } from '../validation/index.js';
import { resolveBundle } from './bundle.js';
import { checkApiFeatures, NO_PLUGINS, type ApiLoadContext } from './features.js';
import { apiSpecOf, routePrefixOf, type ApiSpec } from './model.js';
import { apiDefinitionSchema } from './schema.js';
import { TYK_APIDEF_FOREIGN_FIELDS } from './tyk-fields.js';

/** A definition that was not loaded, and why. Its listen path, when readable, is blocked. */
export interface RefusedApi {
  readonly file: string;
  readonly apiId: string | undefined;
  /** Normalised listen path, if the file had a usable one. */
  readonly routePrefix: string | undefined;
  readonly errors: readonly Problem[];
}

export interface ApiLoadResult {
  readonly apis: readonly ApiSpec[];
  readonly refused: readonly RefusedApi[];
  /** Definitions with `active: false`, by file. */
  readonly inactive: readonly string[];
  readonly warnings: readonly { readonly file: string; readonly problem: Problem }[];
}

/** Loads every `*.json` file of `dir` (not recursive, as Tyk), in name order. */
export async function loadApiDefinitions(dir: string, context: ApiLoadContext = NO_PLUGINS): Promise<ApiLoadResult> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.json'))
    .map((entry) => entry.name)
    .sort();
  const documents = await Promise.all(
    names.map(async (name) => ({ file: join(dir, name), parsed: await readJsonFile(join(dir, name)) })),
  );
  return loadApiDocuments(
    documents.map(({ file, parsed }) => ({ file, document: parsed.ok ? parsed.value : undefined, readProblem: parsed.ok ? undefined : parsed.problem })),
    context,
  );
}

export interface ApiDocument {
  readonly file: string;
  readonly document: unknown;
  /** Set when the file could not be read or parsed. */
  readonly readProblem?: string | undefined;
}

/** Validates definitions and resolves conflicts between them (first file wins). */
export function loadApiDocuments(documents: readonly ApiDocument[], context: ApiLoadContext = NO_PLUGINS): ApiLoadResult {
  const apis: ApiSpec[] = [];
  const refused: RefusedApi[] = [];
  const inactive: string[] = [];
  const warnings: { file: string; problem: Problem }[] = [];
  const byId = new Map<string, ApiSpec>();
  const byPrefix = new Map<string, ApiSpec>();

  for (const { file, document, readProblem } of documents) {
    if (readProblem !== undefined) {
      refused.push({ file, apiId: undefined, routePrefix: undefined, errors: [{ path: '(file)', message: readProblem }] });
      continue;
    }
    const result = validateDocument(apiDefinitionSchema, document, TYK_APIDEF_FOREIGN_FIELDS);
    const errors = [...result.errors];
    for (const problem of result.warnings) warnings.push({ file, problem });
    let def = result.parsed;
    // A bundle's manifest replaces the API's custom_middleware before anything looks at it.
    const bundled = def === undefined ? undefined : resolveBundle(def, file, context);
    if (bundled?.kind === 'invalid') errors.push(...bundled.errors);
    if (bundled?.kind === 'bundle') {
      def = bundled.def;
      for (const problem of bundled.warnings) warnings.push({ file, problem });
    }
    // Without its bundle the API's hooks are unknown: checking them would only add noise.
    const features = def === undefined || bundled?.kind === 'invalid' ? undefined : checkApiFeatures(def, context, bundled?.kind === 'bundle' ? bundled.bundle : undefined);
    if (features !== undefined) {
      errors.push(...features.errors);
      for (const problem of features.warnings) warnings.push({ file, problem });
    }
    if (def !== undefined && !def.active) {
      inactive.push(file);
      continue;
    }
    if (def === undefined || errors.length > 0) {
      refused.push({ file, apiId: readString(document, 'api_id'), routePrefix: readListenPrefix(document), errors });
      continue;
    }

    const spec = apiSpecOf(def, file, features?.plugins);
    const sameId = byId.get(spec.id);
    const samePrefix = byPrefix.get(spec.routePrefix);
    const conflicts: Problem[] = [];
    if (sameId !== undefined) {
      conflicts.push({ path: 'api_id', message: `\`api_id\` ${JSON.stringify(spec.id)} is already used by ${sameId.file}` });
    }
    if (samePrefix !== undefined) {
      conflicts.push({
        path: 'proxy.listen_path',
        message: `\`proxy.listen_path\` ${JSON.stringify(spec.listenPath)} is already served by API ${JSON.stringify(samePrefix.id)} (${samePrefix.file})`,
      });
    }
    if (conflicts.length > 0) {
      // The listen path stays with the API that has it; do not block it.
      refused.push({ file, apiId: spec.id, routePrefix: undefined, errors: conflicts });
      continue;
    }
    byId.set(spec.id, spec);
    byPrefix.set(spec.routePrefix, spec);
    apis.push(deepFreeze(spec));
  }
  return { apis, refused, inactive, warnings };
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

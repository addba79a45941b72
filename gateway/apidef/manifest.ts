import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fields, parseJsonText, validateDocument, type ForeignField, type Problem } from '../validation/index.js';
import { customMiddlewareSchema, type CustomMiddleware } from './schema.js';

/** Tyk's apidef.BundleManifest (protocol.md 4.1). */
export interface BundleManifest {
  readonly fileList: readonly string[];
  readonly customMiddleware: CustomMiddleware;
  /** Lowercase hex MD5 of the listed files, concatenated in order. */
  readonly checksum: string;
  /** Base64 RSA PKCS#1 v1.5 signature over SHA-256 of the same bytes; "" when unsigned. */
  readonly signature: string;
}

const manifestSchema = fields.obj({
  file_list: fields.list(fields.str()).default([]),
  custom_middleware: customMiddlewareSchema.prefault({}),
  checksum: fields.str().default(''),
  signature: fields.str().default(''),
});

// `code` (inline JavaScript, Tyk's otto driver) is Tyk's and kept when a manifest is rewritten.
const quiet: ForeignField = { effect: 'warn', feature: 'inline JavaScript', classify: () => 'off' };
const TYK_MANIFEST_FIELDS = new Map(
  ['pre[]', 'post[]', 'post_key_auth[]', 'response[]', 'auth_check', 'traffic_logs'].map((hook) => [`custom_middleware.${hook}.code`, quiet]),
);

/** Go's decoder leaves a field at its zero value for `null`; Tyk's bundler writes null for lists it did not get. */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, dropNulls(v)]));
}

export type ManifestParse =
  | { readonly ok: true; readonly manifest: BundleManifest; readonly raw: Record<string, unknown>; readonly warnings: readonly Problem[] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** Parses and validates manifest.json text; every problem is reported together. */
export function parseManifest(text: string): ManifestParse {
  const json = parseJsonText(text);
  if (!json.ok) return { ok: false, problems: [{ path: '(file)', message: json.problem }] };
  const result = validateDocument(manifestSchema, dropNulls(json.value), TYK_MANIFEST_FIELDS);
  if (result.value === undefined) return { ok: false, problems: result.errors };
  const m = result.value;
  return {
    ok: true,
    manifest: { fileList: m.file_list, customMiddleware: m.custom_middleware, checksum: m.checksum, signature: m.signature },
    raw: json.value as Record<string, unknown>,
    warnings: result.warnings,
  };
}

/**
 * Reads and validates `<dir>/manifest.json`, every problem naming the file. Synchronous: API
 * definitions are loaded in one pass, and a manifest is a few hundred bytes read once per load.
 */
export function readBundleManifest(dir: string): ManifestParse {
  const path = join(dir, 'manifest.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, problems: [{ path: 'manifest.json', message: code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path}: ${(err as Error).message}` }] };
  }
  const parsed = parseManifest(text);
  const at = (problem: Problem): Problem => ({
    path: problem.path === '(file)' ? 'manifest.json' : `manifest.json ${problem.path}`,
    message: `${path}: ${problem.message}`,
  });
  return parsed.ok ? { ...parsed, warnings: parsed.warnings.map(at) } : { ok: false, problems: parsed.problems.map(at) };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { fields, parseJsonText, validateDocument, type Problem } from '../validation/index.js';
import { customMiddlewareSchema } from './schema.js';

const { str, obj, list } = fields;

/** A bundle's manifest.json (protocol.md 4.1). */
export const bundleManifestSchema = obj({
  file_list: list(str()).default([]),
  custom_middleware: customMiddlewareSchema.prefault({}),
  /** Lowercase hex MD5 of the listed files, concatenated in order. */
  checksum: str().default(''),
  /** Base64 RSA PKCS#1 v1.5 signature over SHA-256 of the same bytes. */
  signature: str().default(''),
});

export type BundleManifest = z.output<typeof bundleManifestSchema>;

export type ManifestResult =
  | { readonly ok: true; readonly manifest: BundleManifest; readonly warnings: readonly Problem[] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * Reads and validates `<dir>/manifest.json`. Synchronous: API definitions are loaded in one pass,
 * and a manifest is a few hundred bytes read once per load.
 */
export function readBundleManifest(dir: string): ManifestResult {
  const path = join(dir, 'manifest.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, problems: [{ path: 'manifest.json', message: code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path}: ${(err as Error).message}` }] };
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) return { ok: false, problems: [{ path: 'manifest.json', message: `${path}: ${parsed.problem}` }] };
  const result = validateDocument(bundleManifestSchema, parsed.value, new Map());
  const at = (problem: Problem): Problem => ({ path: `manifest.json ${problem.path}`, message: `${path}: ${problem.message}` });
  if (result.parsed === undefined || result.errors.length > 0) return { ok: false, problems: result.errors.map(at) };
  return { ok: true, manifest: result.parsed, warnings: result.warnings.map(at) };
}

import type { Problem } from '../../validation/index.js';
import { validateAt } from '../../validation/index.js';
import { goDurationSeconds } from '../go-duration.js';
import { extractClassic } from './extract.js';
import { hookgateExtensionSchema, tykExtensionSchema } from './schema.js';
import { resolveOasSecurity, type OasSecurity } from './security.js';
import { TYK_OAS_FOREIGN_FIELDS } from './tyk-fields.js';

export const TYK_EXTENSION_KEY = 'x-tyk-api-gateway';

/** Whether a parsed API file is a Tyk OAS definition (an OpenAPI document with Tyk's extension). */
export function isOasDocument(document: unknown): document is Record<string, unknown> {
  return document !== null && typeof document === 'object' && !Array.isArray(document) && TYK_EXTENSION_KEY in document;
}

export interface OasApi {
  /** The Classic definition extracted from it (validated again as Classic by the caller). */
  readonly classic: Record<string, unknown> | undefined;
  readonly security: OasSecurity | undefined;
  readonly errors: readonly Problem[];
  readonly warnings: readonly Problem[];
  /** Reports a problem found on the Classic definition at the OAS place it came from. */
  readonly locate: (problem: Problem) => Problem;
}

/**
 * Reads a Tyk OAS API definition: the OpenAPI version, the vendor extension (every problem with
 * its path), the security requirements, and the Classic definition they amount to.
 */
export function readOasApi(document: Record<string, unknown>): OasApi {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const version = document['openapi'];
  if (typeof version !== 'string' || !/^3\.\d+(\.\d+)?$/.test(version)) {
    errors.push({ path: 'openapi', message: `Expected \`openapi\` to be an OpenAPI 3 version such as "3.0.3", got ${JSON.stringify(version) ?? 'nothing'}` });
  }
  const ext = validateAt(tykExtensionSchema, document[TYK_EXTENSION_KEY], TYK_EXTENSION_KEY, TYK_OAS_FOREIGN_FIELDS);
  errors.push(...ext.errors);
  warnings.push(...ext.warnings);
  let hookgate: Record<string, unknown> | undefined;
  if (document['x-hookgate'] !== undefined) {
    const own = validateAt(hookgateExtensionSchema, document['x-hookgate'], 'x-hookgate', new Map());
    errors.push(...own.errors);
    hookgate = own.parsed;
  }
  const tyk = ext.parsed;
  if (tyk === undefined) return { classic: undefined, security: undefined, errors, warnings, locate: (p) => p };

  const auth = tyk.server.authentication;
  let security: OasSecurity | undefined;
  if (auth?.enabled === true) {
    security = resolveOasSecurity(document, auth);
    errors.push(...security.errors);
    warnings.push(...security.warnings);
    const lifetime = auth.customKeyLifetime;
    if (lifetime?.enabled === true && goDurationSeconds(lifetime.value) === undefined) {
      errors.push({ path: `${TYK_EXTENSION_KEY}.server.authentication.customKeyLifetime.value`, message: `Expected \`${TYK_EXTENSION_KEY}.server.authentication.customKeyLifetime.value\` to be a duration such as "1h30m", got ${JSON.stringify(lifetime.value)}` });
    }
  } else if (document['security'] !== undefined) {
    warnings.push({ path: `${TYK_EXTENSION_KEY}.server.authentication.enabled`, message: 'authentication is not enabled, so the API is keyless and the OpenAPI `security` requirements are not enforced (as in Tyk)' });
  }
  const proxy = tyk.upstream.proxy;
  if (proxy !== undefined && !proxy.enabled && proxy.url !== '') {
    warnings.push({ path: `${TYK_EXTENSION_KEY}.upstream.proxy.enabled`, message: `\`${TYK_EXTENSION_KEY}.upstream.proxy.enabled\` is false, so requests go to the upstream directly (Tyk would use \`url\` anyway)` });
  }
  const { definition, origins } = extractClassic(tyk, security, hookgate);
  return { classic: definition, security, errors, warnings, locate: locator(origins) };
}

/** Rewrites a Classic path (and its mentions in the message) to the OAS path it came from. */
function locator(origins: ReadonlyMap<string, string>): (problem: Problem) => Problem {
  const translate = (path: string): string => {
    for (let cut = path.length; cut > 0; cut = Math.max(path.lastIndexOf('.', cut - 1), path.lastIndexOf('[', cut - 1))) {
      const origin = origins.get(path.slice(0, cut));
      if (origin !== undefined) return origin + path.slice(cut);
    }
    return path;
  };
  return (problem) => {
    const path = translate(problem.path);
    if (path === problem.path) return problem;
    return { path, message: problem.message.replace(/`([^`]*)`/g, (whole, inner: string) => (inner.startsWith(problem.path) ? `\`${translate(inner)}\`` : whole)) };
  };
}

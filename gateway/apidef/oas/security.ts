import type * as z from 'zod';
import { validateAt, type Problem } from '../../validation/index.js';
import { AUTH_METHOD_DESCRIPTIONS, BASE_IDENTITY_METHODS, inTykOrder, type AuthConfig, type AuthMethod, type AuthScheme, type SecurityProcessingMode } from '../auth/index.js';
import { basicScheme, customAuthConfig, jwtScheme, tokenScheme, vendorScheme, type OasAuthentication, type OasCustomAuthConfig } from './schema.js';
import { SCHEME_FOREIGN_FIELDS } from './tyk-fields.js';

const X_AUTH = 'x-tyk-api-gateway.server.authentication';

/** Tyk's proprietary scheme names (isProprietaryAuth in Tyk's apidef/oas/security.go). */
const PROPRIETARY = new Set(['hmac', 'custom', 'mtls', 'coprocess']);

/** A scheme resolved to a method, with its own settings object (for JWT, basic, HMAC, custom). */
export interface ResolvedScheme extends AuthScheme {
  /** Where the scheme's Tyk settings are, for messages. */
  readonly at: string;
  /** The parsed vendor settings object (scheme-type specific). */
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface OasSecurity {
  readonly mode: SecurityProcessingMode;
  readonly requirements: readonly (readonly ResolvedScheme[])[];
  readonly errors: readonly Problem[];
  readonly warnings: readonly Problem[];
}

interface Requirement {
  readonly names: readonly string[];
  readonly at: string;
  /** Where each name is written, for messages. */
  readonly nameAt: (index: number) => string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Resolves an OAS API's security into auth requirements (tyk-config.md 2.4 and 2.5, seed 002):
 * the OpenAPI `security` requirements, plus (compliant mode) the extension's own `security`
 * groups; each name to a method through `components.securitySchemes` or Tyk's proprietary names;
 * each scheme checked to be defined and enabled. Problems Tyk only shows at request time (a 500
 * "security scheme ... is not configured", a method that is silently off) are load errors here.
 */
export function resolveOasSecurity(document: Record<string, unknown>, auth: OasAuthentication): OasSecurity {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const components = isRecord(document['components']) && isRecord(document['components']['securitySchemes']) ? document['components']['securitySchemes'] : {};
  const mode: SecurityProcessingMode = auth.securityProcessingMode === 'compliant' ? 'compliant' : 'legacy';

  const openapi = openapiRequirements(document['security'], errors);
  const vendor = auth.security.map((names, i) => ({ names, at: `${X_AUTH}.security[${i}]`, nameAt: (j: number) => `${X_AUTH}.security[${i}][${j}]` }));
  let requirements: Requirement[];
  if (mode === 'compliant') {
    const mixed = mixedVendorSchemes(vendor);
    requirements = [];
    for (const requirement of openapi) {
      const [only] = requirement.names;
      if (requirement.names.length === 1 && only !== undefined && mixed.has(only)) {
        warnings.push({ path: requirement.at, message: `\`${requirement.at}\` (${only} alone) is not used: ${only} also appears together with a Tyk proprietary method in \`${X_AUTH}.security\`, so, as in Tyk, it is accepted only with it` });
      } else {
        requirements.push(requirement);
      }
    }
    requirements.push(...vendor);
  } else {
    if (vendor.length > 0) {
      warnings.push({ path: `${X_AUTH}.security`, message: `\`${X_AUTH}.security\` is ignored in legacy mode; set \`${X_AUTH}.securityProcessingMode\` to "compliant" to use it` });
    }
    if (openapi.length > 1) {
      warnings.push({ path: 'security', message: 'Legacy mode: Processing first security requirement only, ignoring others (set securityProcessingMode to "compliant" for OR logic)' });
    }
    requirements = openapi.slice(0, 1);
  }

  const groups: ResolvedScheme[][] = requirements.map((requirement) =>
    requirement.names.map((name, i) => resolveScheme(name, requirement.nameAt(i), components, auth, errors, warnings)).filter((s): s is ResolvedScheme => s !== undefined),
  );

  const hmacOn = auth.hmac?.enabled === true || vendorEntryEnabled(auth, 'hmac');
  const customOn = auth.custom?.enabled === true;
  const certificateOn = auth.certificateAuth?.enabled === true;
  let result: ResolvedScheme[][];
  if (groups.length <= 1) {
    // One requirement (or none): the AND chain of every enabled method, as Tyk runs it.
    const group = [...(groups[0] ?? [])];
    if (hmacOn && !group.some((s) => s.method === 'hmac')) group.push(proprietaryScheme('hmac', 'hmac', auth, errors, warnings));
    if (customOn && !group.some((s) => s.method === 'custom_plugin')) group.push(proprietaryScheme('custom', 'custom_plugin', auth, errors, warnings));
    if (certificateOn && !group.some((s) => s.method === 'auth_token')) group.push(certificateAuthScheme());
    if (group.length === 0) {
      warnings.push({ path: `${X_AUTH}.enabled`, message: `authentication is enabled but no security requirement names a scheme and no Tyk method is enabled, so the API uses the auth token in the Authorization header (Tyk's default)` });
      group.push({ name: 'authToken', method: 'auth_token', config: undefined, at: `${X_AUTH}`, settings: {} });
    }
    result = [inTykOrder(group) as ResolvedScheme[]];
  } else {
    result = groups.map((group) => inTykOrder(group) as ResolvedScheme[]);
    const named = new Set(result.flat().map((s) => s.method));
    if (hmacOn && !named.has('hmac')) warnings.push({ path: `${X_AUTH}.hmac`, message: 'HMAC is enabled but no security requirement names it (`hmac`); in compliant mode it never runs' });
    if (customOn && !named.has('custom_plugin')) warnings.push({ path: `${X_AUTH}.custom`, message: 'custom plugin auth is enabled but no security requirement names it (`custom`); in compliant mode it never runs' });
    if (certificateOn && !named.has('auth_token')) warnings.push({ path: `${X_AUTH}.certificateAuth`, message: 'certificate auth is enabled but no security requirement names an apiKey scheme (the auth token, which carries it); in compliant mode it never runs' });
    if (auth.baseIdentityProvider !== '') {
      errors.push({
        path: `${X_AUTH}.baseIdentityProvider`,
        message: `\`${X_AUTH}.baseIdentityProvider\` (${auth.baseIdentityProvider}) is a legacy-mode setting and cannot be mixed with several security requirements in compliant mode, where the session comes from the requirement that passes; remove it`,
      });
    }
  }
  if (auth.certificateAuth !== undefined) result = withCertificateAuth(result, certificateOn, warnings);
  if (mode === 'legacy' || result.length === 1) checkBaseIdentity(auth.baseIdentityProvider, result[0] ?? [], errors);
  checkSameSettings(result.flat(), errors);
  return { mode, requirements: result, errors, warnings };
}

function openapiRequirements(security: unknown, errors: Problem[]): Requirement[] {
  if (security === undefined) return [];
  if (!Array.isArray(security)) {
    errors.push({ path: 'security', message: 'Expected `security` to be an array of security requirement objects' });
    return [];
  }
  const out: Requirement[] = [];
  security.forEach((requirement, i) => {
    if (!isRecord(requirement)) {
      errors.push({ path: `security[${i}]`, message: `Expected \`security[${i}]\` to be a security requirement object ({"scheme": []})` });
      return;
    }
    // An empty requirement ({}) makes security optional in OpenAPI: it would let every request
    // through, which a protected API must not do silently.
    if (Object.keys(requirement).length === 0) {
      errors.push({ path: `security[${i}]`, message: `\`security[${i}]\` is empty ({}), which in OpenAPI makes authentication optional; Hookgate refuses to serve a protected API with an anonymous alternative (use authentication.enabled: false for a keyless API)` });
      return;
    }
    const names = Object.keys(requirement);
    out.push({ names, at: `security[${i}]`, nameAt: (j) => `security[${i}].${names[j] ?? ''}` });
  });
  return out;
}

/** Standard scheme names that appear in a vendor group together with a proprietary one. */
function mixedVendorSchemes(vendor: readonly Requirement[]): Set<string> {
  const mixed = new Set<string>();
  for (const { names } of vendor) {
    if (names.some((n) => PROPRIETARY.has(n)) && names.some((n) => !PROPRIETARY.has(n))) {
      for (const name of names) if (!PROPRIETARY.has(name)) mixed.add(name);
    }
  }
  return mixed;
}

const vendorEntry = (auth: OasAuthentication, name: string): unknown => auth.securitySchemes[name];
const vendorEntryEnabled = (auth: OasAuthentication, name: string) => isRecord(vendorEntry(auth, name)) && (vendorEntry(auth, name) as Record<string, unknown>)['enabled'] === true;

function resolveScheme(name: string, at: string, components: Record<string, unknown>, auth: OasAuthentication, errors: Problem[], warnings: Problem[]): ResolvedScheme | undefined {
  const openapi = components[name];
  if (isRecord(openapi)) {
    const method = methodOfOpenApiScheme(openapi);
    if (typeof method !== 'string') {
      errors.push({ path: `components.securitySchemes.${name}`, message: `\`components.securitySchemes.${name}\` (named by \`${at}\`) is ${method.what}, which Hookgate does not support yet; the API is refused rather than served without it` });
      return undefined;
    }
    return standardScheme(name, method, openapi, auth, errors, warnings);
  }
  if (name === 'hmac') return proprietaryScheme(name, 'hmac', auth, errors, warnings);
  if (name === 'custom' || name === 'coprocess' || isCustomEntry(vendorEntry(auth, name))) return proprietaryScheme(name, 'custom_plugin', auth, errors, warnings);
  if (name === 'mtls') {
    errors.push({ path: at, message: `\`${at}\` names mtls (certificate auth), which Hookgate does not support yet; the API is refused rather than served without it` });
    return undefined;
  }
  errors.push({
    path: at,
    message: `\`${at}\` names the security scheme "${name}", which is not defined: add it to components.securitySchemes (apiKey, http basic, or http bearer with bearerFormat JWT) or use one of Tyk's proprietary names (hmac, custom)`,
  });
  return undefined;
}

function isCustomEntry(entry: unknown): boolean {
  if (!isRecord(entry) || !isRecord(entry['config'])) return false;
  const config = entry['config'];
  return config['authType'] === 'coprocess' || config['authType'] === 'custom' || typeof config['functionName'] === 'string';
}

function methodOfOpenApiScheme(scheme: Record<string, unknown>): AuthMethod | { what: string } {
  const type = scheme['type'];
  if (type === 'apiKey') return 'auth_token';
  if (type === 'http' && typeof scheme['scheme'] === 'string' && scheme['scheme'].toLowerCase() === 'basic') return 'basic';
  if (type === 'http' && typeof scheme['scheme'] === 'string' && scheme['scheme'].toLowerCase() === 'bearer') {
    return scheme['bearerFormat'] === 'JWT' ? 'jwt' : { what: 'an http bearer scheme without bearerFormat "JWT" (Tyk cannot import it either)' };
  }
  if (type === 'oauth2') return { what: 'an oauth2 scheme (Tyk OAuth / external OAuth)' };
  if (type === 'openIdConnect') return { what: 'an openIdConnect scheme' };
  if (type === 'mutualTLS') return { what: 'a mutualTLS scheme (certificate auth)' };
  return { what: `a scheme of type ${JSON.stringify(type)}` };
}

const SCHEMA_BY_METHOD: Partial<Record<AuthMethod, z.ZodType>> = { auth_token: tokenScheme, basic: basicScheme, jwt: jwtScheme };

function standardScheme(name: string, method: AuthMethod, openapi: Record<string, unknown>, auth: OasAuthentication, errors: Problem[], warnings: Problem[]): ResolvedScheme | undefined {
  const at = `${X_AUTH}.securitySchemes.${name}`;
  const entry = vendorEntry(auth, name);
  if (!isRecord(entry) || entry['enabled'] !== true) {
    errors.push({
      path: at,
      message: `the security scheme "${name}" (${AUTH_METHOD_DESCRIPTIONS[method]}) is required by a security requirement but not enabled in the Tyk extension: set \`${at}.enabled\` to true`,
    });
    return undefined;
  }
  const checked = validateAt(SCHEMA_BY_METHOD[method] as z.ZodType, entry, at, SCHEME_FOREIGN_FIELDS);
  errors.push(...checked.errors);
  warnings.push(...checked.warnings);
  if (checked.parsed === undefined) return undefined;
  const settings = checked.parsed as Record<string, unknown>;
  let config = sourcesConfig(name, settings, method !== 'auth_token');
  if (method === 'auth_token') config = { ...withApiKeyLocation(config, openapi), use_certificate: settings['enableClientCertificate'] === true };
  checkSomeSource(config, name, at, errors);
  return { name, method, config, at, settings };
}

/**
 * Certificate auth with nothing else naming the auth token: Tyk's default auth token (the
 * Authorization header; the token is used only with allow_unsafe_dynamic_mtls_token).
 */
function certificateAuthScheme(): ResolvedScheme {
  return { name: 'authToken', method: 'auth_token', config: { ...sourcesConfig('authToken', {}, true), use_certificate: true }, at: `${X_AUTH}.certificateAuth`, settings: {} };
}

/**
 * Tyk 5.12's `certificateAuth` decides certificate auth for every auth-token scheme; their
 * `enableClientCertificate` (the old contract) counts only when `certificateAuth` is absent.
 */
function withCertificateAuth(groups: ResolvedScheme[][], enabled: boolean, warnings: Problem[]): ResolvedScheme[][] {
  return groups.map((group) =>
    group.map((scheme) => {
      if (scheme.method !== 'auth_token' || scheme.config === undefined) return scheme;
      if (scheme.settings['enableClientCertificate'] === true && !enabled) {
        warnings.push({ path: `${scheme.at}.enableClientCertificate`, message: `\`${scheme.at}.enableClientCertificate\` is ignored: \`${X_AUTH}.certificateAuth\` is set and disables certificate auth (as in Tyk 5.12, the new setting wins)` });
      }
      return { ...scheme, config: { ...scheme.config, use_certificate: enabled } };
    }),
  );
}

/** An `hmac` or custom plugin scheme: settings under server.authentication, else the vendor entry. */
function proprietaryScheme(name: string, method: 'hmac' | 'custom_plugin', auth: OasAuthentication, errors: Problem[], warnings: Problem[]): ResolvedScheme {
  const own = method === 'hmac' ? auth.hmac : auth.custom;
  const ownAt = `${X_AUTH}.${method === 'hmac' ? 'hmac' : 'custom'}`;
  const entry = vendorEntry(auth, name);
  let settings: Record<string, unknown> = {};
  let at = ownAt;
  if (own?.enabled === true) {
    settings = own as Record<string, unknown>;
  } else if (isRecord(entry)) {
    at = `${X_AUTH}.securitySchemes.${name}`;
    const checked = validateAt(vendorScheme, entry, at, SCHEME_FOREIGN_FIELDS);
    errors.push(...checked.errors);
    warnings.push(...checked.warnings);
    settings = (checked.parsed ?? {}) as Record<string, unknown>;
  }
  if (settings['enabled'] !== true) {
    errors.push({ path: ownAt, message: `the security scheme "${name}" (${AUTH_METHOD_DESCRIPTIONS[method]}) is required by a security requirement but not enabled: set \`${ownAt}.enabled\` to true` });
  }
  const config = sourcesConfig(name, settings, method === 'hmac');
  if (method === 'hmac') checkSomeSource(config, name, at, errors);
  if (method === 'custom_plugin' && settings['config'] !== undefined) {
    const parsed = customAuthConfig.safeParse(settings['config']);
    if (parsed.success) settings = { ...settings, config: parsed.data satisfies OasCustomAuthConfig };
  }
  return { name, method, config, at, settings };
}

/**
 * Tyk's AuthSources as an auth config. Tyk reads a missing `header` object as "header disabled";
 * a scheme written with no source at all (`{"enabled": true}`, as the docs' examples are) would
 * then never find a credential, so Hookgate reads it as Tyk's import writes it: the Authorization
 * header (docs/auth.md).
 */
function sourcesConfig(name: string, settings: Record<string, unknown>, defaultHeader: boolean): AuthConfig {
  const source = (key: string) => (isRecord(settings[key]) ? (settings[key] as { enabled: boolean; name: string }) : undefined);
  const header = source('header');
  const query = source('query');
  const cookie = source('cookie');
  const none = header === undefined && query === undefined && cookie === undefined;
  return {
    name,
    disable_header: none && defaultHeader ? false : header?.enabled !== true,
    auth_header_name: header?.name ?? '',
    use_param: query?.enabled === true,
    param_name: query?.name ?? '',
    use_cookie: cookie?.enabled === true,
    cookie_name: cookie?.name ?? '',
    use_certificate: false,
    validate_signature: false,
  };
}

/** The OpenAPI `in`/`name` of an apiKey scheme override the matching location (extractAPIKeySchemeTo). */
function withApiKeyLocation(config: AuthConfig, openapi: Record<string, unknown>): AuthConfig {
  const where = openapi['in'];
  const name = typeof openapi['name'] === 'string' ? openapi['name'] : '';
  if (where === 'header') return { ...config, auth_header_name: name, disable_header: false };
  if (where === 'query') return { ...config, use_param: true, param_name: name };
  if (where === 'cookie') return { ...config, use_cookie: true, cookie_name: name };
  return config;
}

function checkSomeSource(config: AuthConfig, name: string, at: string, errors: Problem[]): void {
  if (config.disable_header && !config.use_param && !config.use_cookie) {
    errors.push({ path: at, message: `\`${at}\`: all auth sources are disabled for ${name}, at least one of header/cookie/query must be enabled` });
  }
}

function checkBaseIdentity(baseIdentity: string, group: readonly ResolvedScheme[], errors: Problem[]): void {
  if (baseIdentity === '') return;
  const method = BASE_IDENTITY_METHODS[baseIdentity];
  if (method !== undefined && group.some((s) => s.method === method)) return;
  errors.push({
    path: `${X_AUTH}.baseIdentityProvider`,
    message: `\`${X_AUTH}.baseIdentityProvider\` is ${JSON.stringify(baseIdentity)}, which names an auth method this API does not use (it uses ${group.map((s) => s.method).join(', ') || 'none'})`,
  });
}

/**
 * JWT, basic and HMAC settings are per API in Tyk (one set of Classic fields), so two schemes of
 * one type may differ only in where they read the credential.
 */
function checkSameSettings(schemes: readonly ResolvedScheme[], errors: Problem[]): void {
  const seen = new Map<AuthMethod, ResolvedScheme>();
  for (const scheme of schemes) {
    if (scheme.method === 'auth_token') continue;
    const first = seen.get(scheme.method);
    if (first === undefined) {
      seen.set(scheme.method, scheme);
      continue;
    }
    if (first.name !== scheme.name && methodSettingsKey(first) !== methodSettingsKey(scheme)) {
      errors.push({ path: scheme.at, message: `the ${AUTH_METHOD_DESCRIPTIONS[scheme.method]} schemes "${first.name}" and "${scheme.name}" have different settings; an API has one set of ${AUTH_METHOD_DESCRIPTIONS[scheme.method]} settings (as in Tyk), so they may differ only in header, query and cookie` });
    }
  }
}

function methodSettingsKey(scheme: ResolvedScheme): string {
  const { header: _h, query: _q, cookie: _c, enabled: _e, ...rest } = scheme.settings;
  return JSON.stringify(rest, Object.keys(rest).sort());
}

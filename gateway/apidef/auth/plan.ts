import type { ApiDefinition } from '../schema.js';
import { authMethodsOf, type AuthMethod } from './methods.js';

export type AuthConfig = ApiDefinition['auth_configs'][string];

/** Which of an API's `auth_configs` each method reads (Tyk's authType keys). */
export const AUTH_CONFIG_KEYS: Record<AuthMethod, string> = {
  oauth2: 'oauth',
  basic: 'basic',
  hmac: 'hmac',
  jwt: 'jwt',
  openid: 'oidc',
  custom_plugin: 'coprocess',
  auth_token: 'authToken',
};

/**
 * The auth config of a method: `auth_configs[key]`, or the deprecated top-level `auth` for the
 * auth token and JWT when the map has no entry (tyk-config.md 0.3).
 */
export function authConfigOf(def: ApiDefinition, method: AuthMethod): AuthConfig | undefined {
  return def.auth_configs[AUTH_CONFIG_KEYS[method]] ?? (method === 'auth_token' || method === 'jwt' ? def.auth : undefined);
}

/** One security scheme of a requirement: an auth method and where it reads its credential. */
export interface AuthScheme {
  /** The OpenAPI security scheme name; for Classic definitions, the method's name. */
  readonly name: string;
  readonly method: AuthMethod;
  /** Where the credential is read (header, query, cookie); undefined means the defaults. */
  readonly config: AuthConfig | undefined;
}

export type SecurityProcessingMode = 'legacy' | 'compliant';

/**
 * How an API authenticates, decided at load. `requirements` are alternatives (OR), each an AND
 * group in Tyk's fixed method order. Legacy mode always has exactly one group (every enabled
 * method); keyless APIs have none.
 */
export interface AuthPlan {
  readonly mode: SecurityProcessingMode;
  readonly requirements: readonly (readonly AuthScheme[])[];
  /** `base_identity_provided_by`: which method supplies the session in an AND group ("" = the last). */
  readonly baseIdentity: ApiDefinition['base_identity_provided_by'];
  /** Every credential location the API knows, for strip_auth_data (Tyk strips them all). */
  readonly credentialConfigs: readonly (AuthConfig | undefined)[];
}

/** The methods of a requirement, in Tyk's fixed order (seed 002), whatever order they were listed in. */
export function inTykOrder(schemes: readonly AuthScheme[]): AuthScheme[] {
  return [...schemes].sort((a, b) => METHOD_RANK[a.method] - METHOD_RANK[b.method]);
}

const METHOD_RANK: Record<AuthMethod, number> = { oauth2: 0, basic: 1, hmac: 2, jwt: 3, openid: 4, custom_plugin: 5, auth_token: 6 };

/** Tyk Classic (and Tyk OAS in legacy mode, after extraction): one AND group of every enabled method. */
export function legacyAuthPlan(def: ApiDefinition): AuthPlan {
  const methods = authMethodsOf(def);
  const configs = Object.keys(def.auth_configs).length > 0 ? Object.values(def.auth_configs) : [def.auth];
  return {
    mode: 'legacy',
    requirements: methods.length === 0 ? [] : [methods.map((method) => ({ name: method, method, config: authConfigOf(def, method) }))],
    baseIdentity: def.base_identity_provided_by,
    credentialConfigs: configs,
  };
}

/**
 * A Tyk OAS API's plan from its resolved security requirements: compliant mode keeps every
 * requirement as an alternative; legacy mode has the one AND group. Every scheme keeps its own
 * credential location, so two apiKey schemes in different places both work (Tyk has one).
 */
export function oasAuthPlan(def: ApiDefinition, security: { readonly mode: SecurityProcessingMode; readonly requirements: readonly (readonly AuthScheme[])[] }): AuthPlan {
  if (def.use_keyless) return { mode: security.mode, requirements: [], baseIdentity: '', credentialConfigs: [] };
  return {
    mode: security.mode,
    requirements: security.requirements,
    baseIdentity: def.base_identity_provided_by,
    credentialConfigs: security.requirements.flat().map((scheme) => scheme.config),
  };
}

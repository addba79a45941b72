import * as z from 'zod';
import { fields } from '../../validation/index.js';

const { str, nonEmptyStr, bool, int, num, oneOf, obj, list, dict, httpUrl } = fields;

/**
 * The parts of Tyk's OAS vendor extension (`x-tyk-api-gateway`, apidef/oas in Tyk) that Hookgate
 * reads, with Tyk's names. Everything else Tyk knows is in tyk-fields.ts (refused or warned
 * about); anything neither knows is an unknown key with a suggestion.
 */

/** OAS TLS versions; Tyk turns anything else into 0 (the default), Hookgate refuses it. */
const tlsVersion = oneOf(['', '1.0', '1.1', '1.2', '1.3']);

const source = obj({ enabled: bool().default(false), name: str().default('') });

/** Tyk's AuthSources, inlined in every scheme: where the credential is read. */
export const authSources = {
  header: source.optional(),
  query: source.optional(),
  cookie: source.optional(),
};

const plugin = obj({
  enabled: bool(),
  functionName: nonEmptyStr('a non-empty string (the plugin function name)'),
  path: str().default(''),
  rawBodyOnly: bool().default(false),
  requireSession: bool().default(false),
});

const idExtractor = obj({
  enabled: bool().default(false),
  source: oneOf(['header', 'form', 'body', 'querystring']).optional(),
  with: oneOf(['value', 'regex', 'xpath']).optional(),
  config: obj({
    headerName: str().optional(),
    formParamName: str().optional(),
    regexp: str().optional(),
    regexpMatchIndex: int(0, 1_000_000).optional(),
    xPathExp: str().optional(),
  }).optional(),
});

export const customAuthConfig = obj({
  enabled: bool().default(true),
  functionName: str().default(''),
  path: str().default(''),
  rawBodyOnly: bool().default(false),
  requireSession: bool().default(false),
  idExtractor: idExtractor.optional(),
  /** The docs' example names the driver here (`coprocess`); the driver comes from pluginConfig. */
  authType: str().optional(),
});

const hmac = obj({
  enabled: bool().default(false),
  ...authSources,
  allowedAlgorithms: list(str()).optional(),
  allowedClockSkew: num(0, 'a number of milliseconds (0 or more)').optional(),
});

const custom = obj({
  enabled: bool().default(false),
  ...authSources,
  config: customAuthConfig.optional(),
});

const authentication = obj({
  enabled: bool(),
  stripAuthorizationData: bool().default(false),
  baseIdentityProvider: oneOf(['', 'auth_token', 'hmac_key', 'basic_auth_user', 'jwt_claim', 'oidc_user', 'oauth_key', 'custom_auth']).default(''),
  securityProcessingMode: oneOf(['', 'legacy', 'compliant']).default(''),
  security: list(list(nonEmptyStr('a security scheme name'), 'an array of scheme names (one AND group)')).default([]),
  /** Checked per scheme once its type is known (security.ts). */
  securitySchemes: dict(z.unknown()).default({}),
  hmac: hmac.optional(),
  custom: custom.optional(),
  /** Certificate auth, Tyk 5.12's contract: Classic `auth_configs.authToken.use_certificate`; replaces `enableClientCertificate`. */
  certificateAuth: obj({ enabled: bool().default(false) }).optional(),
  customKeyLifetime: obj({
    enabled: bool().default(false),
    value: str('a Go duration such as "1h30m"').default(''),
    respectValidity: bool().default(false),
  }).optional(),
});

const pluginList = list(plugin).optional();

const middleware = obj({
  global: obj({
    pluginConfig: obj({
      driver: oneOf(['otto', 'javascript', 'python', 'lua', 'grpc', 'goplugin']).optional(),
      bundle: obj({ enabled: bool(), path: str() }).optional(),
      data: obj({ enabled: bool(), value: dict(z.unknown()).default({}) }).optional(),
    }).optional(),
    prePlugins: pluginList,
    postAuthenticationPlugins: pluginList,
    postPlugins: pluginList,
    responsePlugins: pluginList,
    // Deprecated singular forms; the plural wins when both are present.
    prePlugin: obj({ plugins: list(plugin).default([]) }).optional(),
    postAuthenticationPlugin: obj({ plugins: list(plugin).default([]) }).optional(),
    postPlugin: obj({ plugins: list(plugin).default([]) }).optional(),
    responsePlugin: obj({ plugins: list(plugin).default([]) }).optional(),
  }).optional(),
});

export const tykExtensionSchema = obj({
  info: obj({
    id: nonEmptyStr("a non-empty string (the API's unique id)"),
    dbId: str().optional(),
    orgId: str().default(''),
    name: nonEmptyStr('a non-empty string (the API name)'),
    state: obj({ active: bool() }),
  }),
  upstream: obj({
    url: httpUrl(),
    preserveHostHeader: obj({ enabled: bool() }).optional(),
    tlsTransport: obj({
      insecureSkipVerify: bool().default(false),
      minVersion: tlsVersion.optional(),
      maxVersion: tlsVersion.optional(),
      ciphers: list(str()).optional(),
      forceCommonNameCheck: bool().default(false),
    }).optional(),
    proxy: obj({ enabled: bool().default(false), url: str().default('') }).optional(),
    mutualTLS: obj({
      enabled: bool().default(false),
      domainToCertificateMapping: list(obj({ domain: nonEmptyStr('a host name, *.domain or *'), certificate: nonEmptyStr('a certificate (file path or PEM)') })).default([]),
    }).optional(),
    certificatePinning: obj({
      enabled: bool().default(false),
      domainToPublicKeysMapping: list(obj({ domain: nonEmptyStr('a host name, *.domain or *'), publicKeys: list(str()).default([]) })).default([]),
    }).optional(),
  }),
  server: obj({
    listenPath: obj({
      value: z.string({ error: 'a string starting with /' }).startsWith('/', { error: 'a string starting with /' }),
      strip: bool().default(false),
    }),
    authentication: authentication.optional(),
    /** Static mTLS: `use_mutual_tls_auth` and `client_certificates`. */
    clientCertificates: obj({ enabled: bool().default(false), allowlist: list(str()).default([]) }).optional(),
    /** `domain` (with `domain_disabled = !enabled`) and the domain's server `certificates`. */
    customDomain: obj({ enabled: bool().default(false), name: str().default(''), certificates: list(str()).default([]) }).optional(),
  }),
  middleware: middleware.optional(),
});

export type TykExtension = z.output<typeof tykExtensionSchema>;
export type OasAuthentication = z.output<typeof authentication>;
export type OasPlugin = z.output<typeof plugin>;
export type OasCustomAuthConfig = z.output<typeof customAuthConfig>;

/** Hookgate's own API settings in an OAS document (`x-hookgate`), as `hookgate` in Classic ones. */
export const hookgateExtensionSchema = dict(z.unknown());

/** The scheme objects of `securitySchemes`, by the Tyk type their OpenAPI scheme gives them. */
export const tokenScheme = obj({
  enabled: bool().default(false),
  ...authSources,
  /** Certificate auth (Classic `auth_configs.authToken.use_certificate`). */
  enableClientCertificate: bool().default(false),
});

export const basicScheme = obj({
  enabled: bool().default(false),
  ...authSources,
  disableCaching: bool().default(false),
  cacheTTL: int(0, Number.MAX_SAFE_INTEGER).default(0),
  extractCredentialsFromBody: obj({ enabled: bool().default(false), userRegexp: str().default(''), passwordRegexp: str().default('') }).optional(),
});

export const jwtScheme = obj({
  enabled: bool().default(false),
  ...authSources,
  source: str().default(''),
  jwksURIs: list(obj({ url: str(), cacheTimeout: int(0, Number.MAX_SAFE_INTEGER).default(0) })).optional(),
  signingMethod: str().default(''),
  identityBaseField: str().default(''),
  skipKid: bool().default(false),
  policyFieldName: str().default(''),
  clientBaseField: str().default(''),
  defaultPolicies: list(str()).default([]),
  issuedAtValidationSkew: int(0, Number.MAX_SAFE_INTEGER).default(0),
  notBeforeValidationSkew: int(0, Number.MAX_SAFE_INTEGER).default(0),
  expiresAtValidationSkew: int(0, Number.MAX_SAFE_INTEGER).default(0),
  idpClientIdMappingDisabled: bool().default(false),
  allowedIssuers: list(str()).default([]),
  allowedAudiences: list(str()).default([]),
});

/** A vendor-only scheme entry (`custom_auth: {enabled, config}`, `hmac: {enabled}`). */
export const vendorScheme = obj({
  enabled: bool().default(false),
  ...authSources,
  config: customAuthConfig.optional(),
  allowedAlgorithms: list(str()).optional(),
  allowedClockSkew: num(0, 'a number of milliseconds (0 or more)').optional(),
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadApiDocuments, readOasApi, type ApiLoadContext, type ApiLoadResult } from '../../gateway/apidef/index.js';
import { customAuth, GRPC_PLUGINS, oasApi, SCHEMES, type OasOptions } from '../helpers/oas.js';

const PLUGINS: ApiLoadContext = { coprocessEnabled: true, defaultServer: '127.0.0.1:1', dispatchTimeoutMs: 1000, resolveServer: () => undefined, pythonAddress: () => '' };
const X_AUTH = 'x-tyk-api-gateway.server.authentication';

const load = (document: unknown, context = PLUGINS): ApiLoadResult => loadApiDocuments([{ file: 'oas.json', document }], context);
const errorsOf = (result: ApiLoadResult) => result.refused.flatMap((r) => r.errors.map((e) => e.message));
const warningsOf = (result: ApiLoadResult) => result.warnings.map((w) => w.problem.message);
const read = (options: OasOptions) => readOasApi(oasApi('o', '/o/', 'http://up', options) as unknown as Record<string, unknown>);
/** The requirements as "method:scheme" names, for comparing. */
const groupsOf = (options: OasOptions) => read(options).security?.requirements.map((g) => g.map((s) => `${s.method}:${s.name}`));

describe('Tyk OAS API definitions', () => {
  it('maps info, server, upstream and plugins onto the Classic model', () => {
    const result = load(oasApi('orders', '/orders/', 'http://up:9000/base', {
      components: { api_key: SCHEMES.api_key },
      security: [{ api_key: [] }],
      authentication: { securitySchemes: { api_key: { enabled: true } }, stripAuthorizationData: true, customKeyLifetime: { enabled: true, value: '1h30m' } },
      middleware: { global: { pluginConfig: { driver: 'grpc', data: { enabled: true, value: { tier: 'gold' } } }, prePlugins: [{ enabled: true, functionName: 'MyPre' }], postPlugins: [{ enabled: false, functionName: 'Off' }] } },
      orgId: 'org9',
    }));
    assert.deepEqual(errorsOf(result), []);
    const api = result.apis[0];
    assert.ok(api);
    assert.equal(api.id, 'orders');
    assert.equal(api.orgId, 'org9');
    assert.equal(api.routePrefix, '/orders');
    assert.equal(api.stripListenPath, true);
    assert.equal(api.target.basePath, '/base');
    assert.equal(api.keyless, false);
    assert.equal(api.definition.strip_auth_data, true);
    assert.equal(api.definition.session_lifetime, 5400);
    assert.deepEqual(api.plugins?.pre.map((h) => h.name), ['MyPre']);
    assert.deepEqual(api.plugins?.post, []);
    assert.equal(api.plugins?.spec['config_data'], '{"tier":"gold"}');
    assert.deepEqual(api.auth.requirements.map((g) => g.map((s) => [s.method, s.config?.auth_header_name])), [[['auth_token', 'X-API-Key']]]);
  });

  it('reads authentication.enabled false (or no authentication) as keyless, warning that security is not enforced', () => {
    const result = load(oasApi('k', '/k/', 'http://up', { authentication: { enabled: false }, components: { api_key: SCHEMES.api_key }, security: [{ api_key: [] }] }));
    assert.equal(result.apis[0]?.keyless, true);
    assert.deepEqual(result.apis[0]?.auth.requirements, []);
    assert.match(warningsOf(result).join('\n'), /authentication is not enabled, so the API is keyless and the OpenAPI `security` requirements are not enforced/);
    assert.equal(load(oasApi('n', '/n/', 'http://up', { authentication: false })).apis[0]?.keyless, true);
  });

  it('reports extension problems at their OAS path, unknown keys with a suggestion, and refuses features it cannot enforce', () => {
    const doc = oasApi('bad', '/bad/', 'ftp://x', { authentication: { enabled: 'yes' } });
    const server = doc['x-tyk-api-gateway']['server'] as Record<string, unknown>;
    server['ipAccessControl'] = { enabled: true, allow: ['10.0.0.1'] };
    server['listenPth'] = {};
    const result = load(doc);
    assert.equal(result.refused[0]?.apiId, 'bad');
    assert.equal(result.refused[0]?.routePrefix, '/bad');
    assert.deepEqual(errorsOf(result).sort(), [
      'Expected `x-tyk-api-gateway.server.authentication.enabled` to be true or false, got "yes" (string)',
      'Expected `x-tyk-api-gateway.upstream.url` to be an http:// or https:// URL, got "ftp://x" (string)',
      '`x-tyk-api-gateway.server.ipAccessControl` turns on IP access control, which Hookgate does not support yet; refused rather than run without it',
    ]);
    assert.deepEqual(warningsOf(result), ['Unknown key `x-tyk-api-gateway.server.listenPth` is ignored; did you mean `listenPath`?']);
    assert.deepEqual(errorsOf(load({ ...oasApi('v', '/v/', 'http://up'), openapi: '2.0' })), ['Expected `openapi` to be an OpenAPI 3 version such as "3.0.3", got "2.0"']);
  });

  it('reports problems found on the Classic form where the OAS file has them', () => {
    const python = load(oasApi('p', '/p/', 'http://up', { authentication: { custom: customAuth('Auth') }, middleware: { global: { pluginConfig: { driver: 'lua' } } } }));
    assert.deepEqual(errorsOf(python), [
      '`x-tyk-api-gateway.middleware.global.pluginConfig.driver`: plugins with driver "lua" (Hookgate runs "grpc" and "python" plugins), which Hookgate does not support yet; the API is refused rather than served without it',
    ]);
    const noHook = load(oasApi('h', '/h/', 'http://up', { authentication: { custom: { enabled: true } }, middleware: GRPC_PLUGINS }));
    assert.match(errorsOf(noHook)[0] ?? '', /^`x-tyk-api-gateway\.server\.authentication\.custom\.config`: custom plugin auth is on, but no auth_check hook is named/);
  });

  describe('security requirements (seed 002)', () => {
    const seedOne = { components: { api_key: SCHEMES.api_key, jwt_auth: SCHEMES.jwt_auth }, security: [{ api_key: [] }, { jwt_auth: [] }] };
    const enabled = { api_key: { enabled: true }, jwt_auth: { enabled: true, source: 'c2VjcmV0' } };

    it('api_key OR jwt_auth: compliant mode keeps both alternatives; legacy mode only the first, with Tyk\'s log line as a warning', () => {
      assert.deepEqual(groupsOf({ ...seedOne, authentication: { securityProcessingMode: 'compliant', securitySchemes: enabled } }), [['auth_token:api_key'], ['jwt:jwt_auth']]);
      const legacy = read({ ...seedOne, authentication: { securitySchemes: enabled } });
      assert.equal(legacy.security?.mode, 'legacy');
      assert.deepEqual(legacy.security?.requirements.map((g) => g.map((s) => s.name)), [['api_key']]);
      assert.deepEqual(legacy.warnings.map((w) => w.message), ['Legacy mode: Processing first security requirement only, ignoring others (set securityProcessingMode to "compliant" for OR logic)']);
    });

    it('hmac AND api_key OR custom_auth: vendor groups are appended to the OpenAPI ones', () => {
      const security = read({
        components: { api_key: { type: 'apiKey', name: 'Authorization', in: 'header' }, jwt_auth: SCHEMES.jwt_auth },
        security: [{ jwt_auth: [] }],
        authentication: {
          securityProcessingMode: 'compliant',
          security: [['hmac', 'api_key'], ['custom_auth']],
          securitySchemes: { jwt_auth: { enabled: true }, api_key: { enabled: true }, hmac: { enabled: true }, custom_auth: { enabled: true, config: { authType: 'coprocess', functionName: 'MyAuth' } } },
        },
      }).security;
      assert.deepEqual(security?.errors, []);
      assert.deepEqual(security?.requirements.map((g) => g.map((s) => `${s.method}:${s.name}`)), [['jwt:jwt_auth'], ['hmac:hmac', 'auth_token:api_key'], ['custom_plugin:custom_auth']]);
    });

    it('a standard scheme listed alone in OpenAPI and with a proprietary one in the extension is accepted only with it (Tyk)', () => {
      const result = read({
        components: { api_key: SCHEMES.api_key },
        security: [{ api_key: [] }],
        authentication: { securityProcessingMode: 'compliant', security: [['hmac', 'api_key']], hmac: { enabled: true }, securitySchemes: { api_key: { enabled: true } } },
      });
      assert.deepEqual(result.security?.requirements.map((g) => g.map((s) => s.method)), [['hmac', 'auth_token']]);
      assert.match(result.warnings.map((w) => w.message).join('\n'), /`security\[0\]` \(api_key alone\) is not used/);
    });

    it('orders the methods of a requirement as Tyk documents, whatever order they are listed in', () => {
      const groups = groupsOf({
        components: { api_key: SCHEMES.api_key, basic_auth: SCHEMES.basic_auth, jwt_auth: SCHEMES.jwt_auth },
        security: [{ api_key: [], jwt_auth: [], basic_auth: [] }],
        authentication: { securitySchemes: { api_key: { enabled: true }, basic_auth: { enabled: true }, jwt_auth: { enabled: true } }, custom: customAuth('A'), hmac: { enabled: true } },
      });
      assert.deepEqual(groups, [['basic:basic_auth', 'hmac:hmac', 'jwt:jwt_auth', 'custom_plugin:custom', 'auth_token:api_key']]);
    });

    it('troubleshooting: a scheme that is not defined is a load error naming it', () => {
      const result = read({ security: [{ api_key: [] }], authentication: { securitySchemes: { api_key: { enabled: true } } } });
      assert.deepEqual(result.errors.map((e) => e.message), [
        '`security[0].api_key` names the security scheme "api_key", which is not defined: add it to components.securitySchemes (apiKey, http basic, or http bearer with bearerFormat JWT) or use one of Tyk\'s proprietary names (hmac, custom)',
      ]);
    });

    it('troubleshooting: a scheme that is not enabled in the Tyk extension is a load error saying what to set', () => {
      for (const schemes of [{}, { api_key: { enabled: false } }]) {
        const result = read({ components: { api_key: SCHEMES.api_key }, security: [{ api_key: [] }], authentication: { securityProcessingMode: 'compliant', securitySchemes: schemes } });
        assert.deepEqual(result.errors.map((e) => e.message), [
          `the security scheme "api_key" (the auth token) is required by a security requirement but not enabled in the Tyk extension: set \`${X_AUTH}.securitySchemes.api_key.enabled\` to true`,
        ]);
      }
    });

    it('troubleshooting: baseIdentityProvider mixed with several compliant requirements is a load error; a vendor security list in legacy mode a warning', () => {
      const mixed = read({ ...seedOne, authentication: { securityProcessingMode: 'compliant', baseIdentityProvider: 'auth_token', securitySchemes: enabled } });
      assert.match(mixed.errors.map((e) => e.message).join('\n'), /baseIdentityProvider` \(auth_token\) is a legacy-mode setting and cannot be mixed with several security requirements in compliant mode/);
      const legacyVendor = read({ ...seedOne, authentication: { security: [['hmac']], hmac: { enabled: true }, securitySchemes: enabled } });
      assert.deepEqual(legacyVendor.errors, []);
      assert.match(legacyVendor.warnings.map((w) => w.message).join('\n'), /`x-tyk-api-gateway\.server\.authentication\.security` is ignored in legacy mode; set `x-tyk-api-gateway\.server\.authentication\.securityProcessingMode` to "compliant"/);
      const wrongProvider = read({ ...seedOne, authentication: { baseIdentityProvider: 'jwt_claim', securitySchemes: enabled } });
      assert.match(wrongProvider.errors.map((e) => e.message).join('\n'), /baseIdentityProvider` is "jwt_claim", which names an auth method this API does not use \(it uses auth_token\)/);
    });

    it('refuses an empty requirement (optional auth), unsupported scheme types and settings it cannot enforce', () => {
      assert.match(read({ components: { api_key: SCHEMES.api_key }, security: [{ api_key: [] }, {}], authentication: { securityProcessingMode: 'compliant', securitySchemes: { api_key: { enabled: true } } } }).errors[0]?.message ?? '', /`security\[1\]` is empty/);
      assert.match(read({ components: { o: { type: 'oauth2', flows: {} } }, security: [{ o: [] }], authentication: { securitySchemes: { o: { enabled: true } } } }).errors[0]?.message ?? '', /`components\.securitySchemes\.o` \(named by `security\[0\]\.o`\) is an oauth2 scheme/);
      const signed = read({ components: { api_key: SCHEMES.api_key }, security: [{ api_key: [] }], authentication: { securitySchemes: { api_key: { enabled: true, signatureValidation: { enabled: true } } } } });
      assert.deepEqual(signed.errors.map((e) => e.path), [`${X_AUTH}.securitySchemes.api_key.signatureValidation`]);
    });

    it('gives each apiKey scheme its own location, the OpenAPI in/name winning over the extension\'s sources', () => {
      const result = read({
        components: { api_key: SCHEMES.api_key, api_key_query: SCHEMES.api_key_query },
        security: [{ api_key: [] }, { api_key_query: [] }],
        authentication: { securityProcessingMode: 'compliant', securitySchemes: { api_key: { enabled: true, cookie: { enabled: true, name: 'k' } }, api_key_query: { enabled: true } } },
      });
      const [header, query] = result.security?.requirements.map((g) => g[0]?.config) ?? [];
      assert.deepEqual([header?.auth_header_name, header?.disable_header, header?.use_cookie, header?.cookie_name], ['X-API-Key', false, true, 'k']);
      assert.deepEqual([query?.use_param, query?.param_name, query?.disable_header], [true, 'api_key', true]);
    });

    it('reads a scheme with no source at all as the Authorization header; all sources disabled is Tyk\'s validation error', () => {
      const none = read({ authentication: { hmac: { enabled: true } } });
      assert.equal(none.security?.requirements[0]?.[0]?.config?.disable_header, false);
      const off = read({ authentication: { hmac: { enabled: true, header: { enabled: false, name: 'X' } } } });
      assert.deepEqual(off.errors.map((e) => e.message), [`\`${X_AUTH}.hmac\`: all auth sources are disabled for hmac, at least one of header/cookie/query must be enabled`]);
    });
  });

  it('loads a compliant API with custom plugin auth OR the auth token, each with its own plan', () => {
    const result = load(oasApi('c', '/c/', 'http://up', {
      components: { api_key: SCHEMES.api_key },
      security: [{ api_key: [] }],
      authentication: { securityProcessingMode: 'compliant', security: [['custom']], custom: customAuth('MyAuth', { idExtractor: { enabled: true, source: 'header', with: 'value', config: { headerName: 'X-Id' } } }), securitySchemes: { api_key: { enabled: true } } },
      middleware: GRPC_PLUGINS,
    }));
    assert.deepEqual(errorsOf(result), []);
    const api = result.apis[0];
    assert.equal(api?.auth.mode, 'compliant');
    assert.deepEqual(api?.auth.requirements.map((g) => g.map((s) => s.method)), [['auth_token'], ['custom_plugin']]);
    assert.equal(api?.plugins?.authCheck?.name, 'MyAuth');
    assert.ok(api?.plugins?.idExtractor);
  });
});

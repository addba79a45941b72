import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadApiDocuments, type ApiLoadContext } from '../../gateway/apidef/index.js';
import { loadConfigDocument } from '../../gateway/config/index.js';
import { keylessApi } from '../helpers/apis.js';
import { makeCert } from '../helpers/x509.js';
import { oasApi, SCHEMES } from '../helpers/oas.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';

const messages = (problems: readonly { message: string }[]) => problems.map((p) => p.message);

describe('TLS settings in tyk.conf', () => {
  let dir: TempDir;
  let pair: string;
  let certOnly: string;
  before(async () => {
    dir = await tempDir();
    const cert = makeCert({ cn: 's' });
    pair = await dir.write('pair.pem', cert.pair);
    certOnly = await dir.write('cert.pem', cert.cert);
  });
  after(() => dir.remove());

  it('defaults: TLS 1.2 to 1.3, node ciphers; a valid server certificate file loads', () => {
    const { config, errors } = loadConfigDocument({ http_server_options: { use_ssl: true, ssl_certificates: [pair] } });
    assert.deepEqual(errors, []);
    assert.equal(config?.tls.minVersion, 'TLSv1.2');
    assert.equal(config?.tls.maxVersion, 'TLSv1.3');
    assert.equal(config?.tls.ciphers, undefined);
  });

  it('lists every problem at once: TLS 1.1, min above max, unknown ciphers, unreadable or keyless files', () => {
    const { config, errors } = loadConfigDocument({
      http_server_options: {
        use_ssl: true,
        min_version: 770,
        ssl_certificates: [certOnly, `${dir.path}/missing.pem`, 'org1'.padEnd(68, 'a')],
        ssl_ciphers: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_FANCY', 'tls_made_up', 'TLS_RSA_WITH_RC4_128_SHA'],
      },
    });
    assert.equal(config, undefined);
    const text = messages(errors).join('\n');
    assert.match(text, /`http_server_options.min_version` 770 asks for TLS 1.1, which is insecure and not supported/);
    assert.match(text, /unknown cipher suite name\(s\) "TLS_FANCY", "tls_made_up"/);
    assert.match(text, /TLS_RSA_WITH_RC4_128_SHA is insecure and not offered/);
    assert.match(text, /ssl_certificates\[0\]`: .*cert.pem has no private key/);
    assert.match(text, /ssl_certificates\[1\]`: cannot read .*missing.pem: ENOENT/);
    assert.equal(errors.length, 5, text);
  });

  it("min above max is refused with Tyk's text", () => {
    const { errors } = loadConfigDocument({ http_server_options: { use_ssl: true, ssl_certificates: [pair], min_version: 772, max_version: 771 } });
    assert.equal(errors.length, 1);
    assert.match(messages(errors)[0] ?? '', /^failed to resolve `http_server_options.min_version` and `http_server_options.max_version`: TLS validation error: minTLS \(0x0?304 \/ 772\) cannot be greater than maxTLS \(0x0?303 \/ 771\)$/);
  });

  it("maps Go's cipher names to OpenSSL's, case-insensitively, TLS 1.3 names restricting nothing", () => {
    const { config, errors } = loadConfigDocument({ http_server_options: { use_ssl: true, ssl_certificates: [pair], ssl_ciphers: ['tls_ecdhe_ecdsa_with_aes_256_gcm_sha384', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', 'TLS_AES_128_GCM_SHA256'] } });
    assert.deepEqual(errors, []);
    assert.match(config?.tls.ciphers ?? '', /^ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:TLS_/);
  });

  it('control API mTLS needs TLS and at least one certificate', () => {
    const { errors } = loadConfigDocument({ security: { control_api_use_mutual_tls: true } });
    assert.deepEqual(messages(errors).sort(), [
      '`security.control_api_use_mutual_tls` is true but `security.certificates.control_api` lists no certificate: no client could ever reach the control API',
      '`security.control_api_use_mutual_tls` needs `http_server_options.use_ssl`: without TLS there is no client certificate to check',
    ]);
  });
});

describe('TLS settings in API definitions', () => {
  const tls: ApiLoadContext = { coprocessEnabled: false, defaultServer: '', dispatchTimeoutMs: 1000, resolveServer: () => undefined, pythonAddress: () => '', tls: { enabled: true, customDomains: true, apiClientCertificates: [], baseDir: '/' } };

  it('reads use_mutual_tls_auth, client_certificates and the custom domain', () => {
    const cert = makeCert({ cn: 'c' });
    const result = loadApiDocuments([{ file: 'a.json', document: keylessApi('a', '/a/', 'http://up', {}, { use_mutual_tls_auth: true, client_certificates: [cert.cert], domain: 'API.Example.com' }) }], tls);
    assert.deepEqual(result.refused, []);
    assert.equal(result.apis[0]?.tls.domain, 'api.example.com');
    assert.deepEqual(result.apis[0]?.tls.clientCertificates, [cert.cert]);
  });

  it('refuses an empty allow list, mTLS without TLS, and an unreadable certificate', () => {
    const empty = loadApiDocuments([{ file: 'a.json', document: keylessApi('a', '/a/', 'http://up', {}, { use_mutual_tls_auth: true }) }], tls);
    assert.match(messages(empty.refused[0]?.errors ?? []).join('\n'), /list no certificate: every request would be refused/);
    const noTls = loadApiDocuments([{ file: 'a.json', document: keylessApi('a', '/a/', 'http://up', {}, { use_mutual_tls_auth: true, client_certificates: ['org1'.padEnd(68, 'b')] }) }]);
    assert.match(messages(noTls.refused[0]?.errors ?? []).join('\n'), /needs TLS on the gateway/);
    const missing = loadApiDocuments([{ file: 'a.json', document: keylessApi('a', '/a/', 'http://up', {}, { use_mutual_tls_auth: true, client_certificates: ['/nowhere/ca.pem'] }) }], tls);
    assert.match(messages(missing.refused[0]?.errors ?? []).join('\n'), /cannot read \/nowhere\/ca.pem/);
  });

  it('two APIs may share a listen path on different domains; the same domain and path conflict', () => {
    const docs = [
      { file: 'a.json', document: keylessApi('a', '/x/', 'http://up', {}, { domain: 'a.example' }) },
      { file: 'b.json', document: keylessApi('b', '/x/', 'http://up', {}, { domain: 'b.example' }) },
      { file: 'c.json', document: keylessApi('c', '/x/', 'http://up') },
      { file: 'd.json', document: keylessApi('d', '/x/', 'http://up', {}, { domain: 'a.example' }) },
    ];
    const result = loadApiDocuments(docs, tls);
    assert.deepEqual(result.apis.map((a) => a.id), ['a', 'b', 'c']);
    assert.match(messages(result.refused[0]?.errors ?? []).join('\n'), /already served by API "a" .* on a.example/);
  });
});

describe('TLS settings in Tyk OAS definitions', () => {
  const context: ApiLoadContext = { coprocessEnabled: false, defaultServer: '', dispatchTimeoutMs: 1000, resolveServer: () => undefined, pythonAddress: () => '', tls: { enabled: true, customDomains: true, apiClientCertificates: ['global-ca-id'.padEnd(64, '0')], baseDir: '/' } };

  it('server.clientCertificates, server.customDomain and authToken.enableClientCertificate map to the Classic fields', () => {
    const cert = makeCert({ cn: 'oas-client' });
    const doc = oasApi('o', '/o/', 'http://up', {
      components: { api_key: SCHEMES.api_key },
      security: [{ api_key: [] }],
      authentication: { securitySchemes: { api_key: { enabled: true, enableClientCertificate: true } } },
    });
    const server = doc['x-tyk-api-gateway']['server'] as Record<string, unknown>;
    server['clientCertificates'] = { enabled: true, allowlist: [cert.cert] };
    server['customDomain'] = { enabled: true, name: 'oas.example', certificates: [] };
    const result = loadApiDocuments([{ file: 'o.json', document: doc }], context);
    assert.deepEqual(result.refused, []);
    const api = result.apis[0];
    assert.equal(api?.tls.domain, 'oas.example');
    assert.deepEqual(api?.tls.clientCertificates, [cert.cert, 'global-ca-id'.padEnd(64, '0')], 'security.certificates.apis is added');
    assert.equal(api?.tls.certificateAuth, true);
    assert.equal(api?.auth.requirements[0]?.[0]?.config?.use_certificate, true);
  });

  it('server.authentication.certificateAuth (Tyk 5.12) turns certificate auth on alone, and decides over enableClientCertificate', () => {
    const load = (authentication: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
      const doc = oasApi('o', '/o/', 'http://up', { authentication, ...extra });
      return loadApiDocuments([{ file: 'o.json', document: doc }], context);
    };
    // Alone: the auth token (Authorization header) carrying certificate auth, no "default auth token" warning.
    const alone = load({ certificateAuth: { enabled: true } });
    assert.deepEqual(alone.refused, []);
    assert.equal(alone.apis[0]?.tls.certificateAuth, true);
    const scheme = alone.apis[0]?.auth.requirements[0]?.[0];
    assert.equal(scheme?.method, 'auth_token');
    assert.equal(scheme?.config?.use_certificate, true);
    assert.deepEqual(alone.warnings, []);

    // With an apiKey scheme: the new contract wins over the old one, both ways.
    const withKey = (enableClientCertificate: boolean, enabled: boolean) =>
      load({ securitySchemes: { api_key: { enabled: true, enableClientCertificate } }, certificateAuth: { enabled } }, { components: { api_key: SCHEMES.api_key }, security: [{ api_key: [] }] });
    const on = withKey(false, true);
    assert.equal(on.apis[0]?.tls.certificateAuth, true);
    assert.equal(on.apis[0]?.auth.requirements[0]?.length, 1, 'the apiKey scheme carries it; no second token scheme');
    const off = withKey(true, false);
    assert.equal(off.apis[0]?.tls.certificateAuth, false);
    assert.ok(off.warnings.some((w) => w.problem.path.endsWith('api_key.enableClientCertificate')), JSON.stringify(off.warnings));

    // With JWT: certificate auth is added to the AND chain, as hmac and custom are.
    const jwt = load({ securitySchemes: { jwt: { enabled: true, source: 'c2VjcmV0', signingMethod: 'hmac', identityBaseField: 'sub' } }, certificateAuth: { enabled: true } }, { components: { jwt: SCHEMES.jwt_auth }, security: [{ jwt: [] }] });
    assert.deepEqual(jwt.refused.flatMap((r) => messages(r.errors)), []);
    assert.deepEqual(jwt.apis[0]?.auth.requirements[0]?.map((s) => s.method), ['jwt', 'auth_token']);
  });

  it('customDomain.enabled false keeps the API on every host', () => {
    const doc = oasApi('o', '/o/', 'http://up', { authentication: false });
    (doc['x-tyk-api-gateway']['server'] as Record<string, unknown>)['customDomain'] = { enabled: false, name: 'off.example' };
    assert.equal(loadApiDocuments([{ file: 'o.json', document: doc }], context).apis[0]?.tls.domain, '');
  });
});

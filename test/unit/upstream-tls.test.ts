import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadApiDocuments, readOasApi } from '../../gateway/apidef/index.js';
import { apiLoadContextOf } from '../../gateway/apidef/context.js';
import { loadConfigDocument } from '../../gateway/config/index.js';
import { openSslCiphers, parsePem, storeBackedResolver, type CertificateLookup } from '../../gateway/crypto/index.js';
import { certificateKeysFor, envProxyFor, lookupHost, pinKeysFor, resolveTlsVersions } from '../../gateway/upstream-tls/index.js';
import { keylessApi } from '../helpers/apis.js';
import { makeCa, makeLeaf, type TestCert } from '../helpers/certs.js';
import { hasProgram } from '../helpers/programs.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';

const messages = (problems: readonly { message: string }[]) => problems.map((p) => p.message);

describe('upstream TLS settings', () => {
  it('maps Go cipher names to OpenSSL names, case-insensitively, keeping TLS 1.3 available, and names unknown ones', () => {
    const list = openSslCiphers(['tls_ecdhe_rsa_with_aes_128_gcm_sha256', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305', 'TLS_AES_128_GCM_SHA256', 'TLS_BOGUS']);
    assert.equal(list.openssl, 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256');
    assert.deepEqual(list.unknown, ['TLS_BOGUS']);
    assert.equal(openSslCiphers([]).openssl, undefined);
  });

  it('resolves TLS versions with Tyk\'s defaults and error texts', () => {
    assert.deepEqual(resolveTlsVersions(0, 0), { min: 771, max: 772 });
    assert.deepEqual(resolveTlsVersions(772, 0), { min: 772, max: 772 });
    assert.deepEqual(resolveTlsVersions(0, 770), { error: 'provided maxTLS (770) is lower than the default minimum TLS version (771); provide both versions explicitly' });
    assert.deepEqual(resolveTlsVersions(772, 771), { error: 'TLS validation error: minTLS (0x304 / 772) cannot be greater than maxTLS (0x303 / 771)' });
  });

  it('picks per-host entries as Tyk does: the API map over the gateway map, specific keys over wildcards', () => {
    const global = { '*': 'g-star', 'api.example.com': 'g-host' };
    const api = { '*.example.com': 'a-wild' };
    assert.equal(lookupHost([global, api], certificateKeysFor('api.example.com'))?.value, 'a-wild');
    assert.equal(lookupHost([global, {}], certificateKeysFor('api.example.com:8443'))?.value, 'g-host');
    assert.equal(lookupHost([global, { 'api.example.com:8443': 'a-port' }], certificateKeysFor('api.example.com:8443'))?.value, 'a-port');
    assert.equal(lookupHost([global, api], certificateKeysFor('other.org'))?.value, 'g-star');
    assert.deepEqual(pinKeysFor('api.example.com:8443'), ['*', '*.example.com', 'api.example.com']);
  });

  it('takes the forward proxy from the environment as Go does: never for loopback, not for NO_PROXY matches', () => {
    const env = { http: 'http://proxy:3128', https: 'http://sproxy:3128', noProxy: 'internal.example, 10.0.0.0/8, .corp:8443' };
    assert.equal(envProxyFor(env, true, 'api.example.com'), 'http://sproxy:3128');
    assert.equal(envProxyFor(env, false, 'api.example.com'), 'http://proxy:3128');
    assert.equal(envProxyFor(env, false, '127.0.0.1:8080'), undefined);
    assert.equal(envProxyFor(env, false, 'localhost'), undefined);
    assert.equal(envProxyFor(env, true, 'a.internal.example'), undefined);
    assert.equal(envProxyFor(env, true, '10.1.2.3'), undefined);
    assert.equal(envProxyFor(env, true, 'x.corp:8443'), undefined);
    assert.equal(envProxyFor(env, true, 'x.corp:9443'), 'http://sproxy:3128');
    assert.equal(envProxyFor({ ...env, noProxy: '*' }, true, 'api.example.com'), undefined);
  });
});

describe('upstream TLS settings refused at load', { skip: hasProgram('openssl') || process.env['CI'] === 'true' ? false : 'openssl is not installed' }, () => {
  let dir: TempDir;
  let leaf: TestCert;
  before(async () => {
    dir = await tempDir();
    leaf = makeLeaf(dir, { cn: 'client' }, makeCa(dir, 'CA'));
  });
  after(async () => dir.remove());

  it('lists every problem of tyk.conf at once, with Tyk\'s version error text', () => {
    const { config, errors } = loadConfigDocument({
      proxy_ssl_min_version: 772,
      proxy_ssl_max_version: 771,
      proxy_ssl_ciphers: ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'TLS_NOT_A_CIPHER'],
      security: {
        certificates: { upstream: { '*': leaf.certPath, 'api.example.com': `${dir.path}/missing.pem`, 'store.example.com': `org1${'ab'.repeat(32)}` } },
        pinned_public_keys: { '*': '' },
      },
    }, `${dir.path}/tyk.conf`);
    assert.equal(config, undefined);
    const text = messages(errors);
    assert.ok(text.includes('failed to resolve `proxy_ssl_min_version` and `proxy_ssl_max_version`: TLS validation error: minTLS (0x304 / 772) cannot be greater than maxTLS (0x303 / 771)'), text.join('\n'));
    assert.ok(text.some((m) => m.includes('"TLS_NOT_A_CIPHER" is not a Go TLS cipher suite name')));
    assert.ok(text.some((m) => m.includes('security.certificates.upstream["*"]') && m.includes('has no private key')));
    assert.ok(text.some((m) => m.includes('no such file') && m.includes('missing.pem')));
    assert.ok(text.some((m) => m.startsWith('`security.pinned_public_keys["*"]` names no public key')));
    // A certificate-store ID waits for the API definitions (the store is read after the config).
    assert.ok(!text.some((m) => m.includes('store.example.com')), text.join('\n'));
    assert.equal(errors.length, 5);
  });

  it('refuses an API with a bad upstream setting, naming the OAS path it came from', () => {
    const loaded = loadConfigDocument({ security: { certificates: { upstream: { '*': leaf.pairPath } } } }, `${dir.path}/tyk.conf`);
    assert.ok(loaded.config);
    const context = apiLoadContextOf(loaded.config);
    const classic = keylessApi('c', '/c/', 'https://127.0.0.1:1', { transport: { ssl_ciphers: ['RC4'], ssl_min_version: 772, ssl_max_version: 771, proxy_url: 'socks5://127.0.0.1:1080' } }, { upstream_certificates: { x: leaf.certPath } });
    const oas = {
      openapi: '3.0.3',
      info: { title: 'o', version: '1' },
      paths: {},
      'x-tyk-api-gateway': {
        info: { id: 'o', name: 'o', state: { active: true } },
        upstream: { url: 'https://127.0.0.1:1', tlsTransport: { minVersion: '1.3', maxVersion: '1.2' }, mutualTLS: { enabled: true, domainToCertificateMapping: [{ domain: 'x', certificate: 'nope.pem' }] } },
        server: { listenPath: { value: '/o/', strip: true } },
      },
    };
    const result = loadApiDocuments([{ file: 'c.json', document: classic }, { file: 'o.json', document: oas }], context);
    assert.equal(result.apis.length, 0);
    const [c, o] = result.refused;
    const classicText = messages(c?.errors ?? []);
    assert.ok(classicText.some((m) => m.includes('"RC4" is not a Go TLS cipher suite name')), classicText.join('\n'));
    assert.ok(classicText.some((m) => m.includes('socks5://')));
    assert.ok(classicText.some((m) => m.includes('`upstream_certificates["x"]`') && m.includes('no private key')));
    assert.ok(classicText.some((m) => m.includes('minimum TLS version 772 (`proxy.transport.ssl_min_version`) is greater than the maximum 771 (`proxy.transport.ssl_max_version`)')), classicText.join('\n'));
    const oasPaths = (o?.errors ?? []).map((p) => p.path);
    assert.ok(oasPaths.includes('x-tyk-api-gateway.upstream.mutualTLS.domainToCertificateMapping[0].certificate'), oasPaths.join('\n'));
    assert.ok(oasPaths.includes('x-tyk-api-gateway.upstream.tlsTransport.minVersion'), oasPaths.join('\n'));
  });

  it('shares one profile between APIs with the same upstream settings, and keeps OAS proxy.enabled false direct', () => {
    const loaded = loadConfigDocument({}, `${dir.path}/tyk.conf`);
    assert.ok(loaded.config);
    const context = apiLoadContextOf(loaded.config);
    const result = loadApiDocuments([
      { file: 'a.json', document: keylessApi('a', '/a/', 'https://127.0.0.1:1') },
      { file: 'b.json', document: keylessApi('b', '/b/', 'https://127.0.0.1:1/other') },
      { file: 'c.json', document: keylessApi('c', '/c/', 'https://127.0.0.1:1', { transport: { ssl_insecure_skip_verify: true } }) },
    ], context);
    const [a, b, c] = result.apis;
    assert.equal(a?.upstream.key, b?.upstream.key);
    assert.notEqual(a?.upstream.key, c?.upstream.key);
    assert.equal(c?.upstream.tls?.verifyChain, false);

    const oas = readOasApi({
      openapi: '3.0.3', info: { title: 'o', version: '1' }, paths: {},
      'x-tyk-api-gateway': { info: { id: 'o', name: 'o', state: { active: true } }, upstream: { url: 'http://a', proxy: { enabled: false, url: 'http://proxy:1' } }, server: { listenPath: { value: '/o/' } } },
    });
    assert.equal((oas.classic?.['proxy'] as Record<string, unknown>)['transport'], undefined);
    assert.ok(oas.warnings.some((w) => w.path === 'x-tyk-api-gateway.upstream.proxy.enabled'));
  });
});

describe('certificate-store IDs in upstream settings', { skip: hasProgram('openssl') || process.env['CI'] === 'true' ? false : 'openssl is not installed' }, () => {
  let dir: TempDir;
  let leaf: TestCert;
  before(async () => {
    dir = await tempDir();
    leaf = makeLeaf(dir, { cn: 'store-client' }, makeCa(dir, 'CA'));
  });
  after(async () => dir.remove());

  const present = `org1${'ab'.repeat(32)}`;
  const absent = `org1${'cd'.repeat(32)}`;
  const elsewhere = `org1${'ef'.repeat(32)}`;

  it('resolves tyk.conf and API entries against the store snapshot, only those that apply to the upstream host', () => {
    const loaded = loadConfigDocument({
      security: { certificates: { upstream: { '*': present, 'other.example': elsewhere } }, pinned_public_keys: { '127.0.0.1': present } },
    }, `${dir.path}/tyk.conf`);
    assert.ok(loaded.config, messages(loaded.errors).join('\n'));
    const pair = parsePem(leaf.cert + leaf.key, 'pair');
    assert.ok(pair.ok);
    const wanted = new Set<string>();
    const documents = [
      { file: 'a.json', document: keylessApi('a', '/a/', 'https://127.0.0.1:1') },
      { file: 'b.json', document: keylessApi('b', '/b/', 'https://127.0.0.1:1', {}, { upstream_certificates: { '127.0.0.1': absent } }) },
    ];
    // First pass: no snapshot yet; the IDs asked for are collected (not other.example's).
    loadApiDocuments(documents, apiLoadContextOf(loaded.config, storeBackedResolver(dir.path, new Map(), wanted)));
    assert.deepEqual([...wanted].sort(), [present, absent]);

    const snapshot = new Map<string, CertificateLookup>([
      [present, pair],
      [absent, { ok: false as const, problem: `certificate-store ID "${absent}" is not in the certificate store` }],
    ]);
    const result = loadApiDocuments(documents, apiLoadContextOf(loaded.config, storeBackedResolver(dir.path, snapshot, new Set())));
    const [a] = result.apis;
    assert.equal(a?.upstream.tls?.clientCertificate?.certPem, pair.value.certificatePem);
    assert.deepEqual(a?.upstream.tls?.pins, [leaf.spkiSha256]);
    const refusal = messages(result.refused[0]?.errors ?? []);
    assert.ok(refusal.some((m) => m.includes('`upstream_certificates["127.0.0.1"]`') && m.includes(absent) && m.includes('not in the certificate store')), refusal.join('\n'));
  });
});

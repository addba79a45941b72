import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keylessApi } from '../helpers/apis.js';
import { makeCert, makePki, type TestCert } from '../helpers/x509.js';
import { keySession, SECRET } from '../helpers/control.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { tykError } from '../helpers/http.js';
import { oasApi, SCHEMES } from '../helpers/oas.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';
import { httpsRequestTo, type TlsClientOptions } from '../helpers/tls.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const ORG = 'org1';

/** Every certificate the cases need: a PKI with an intermediate, allowed and unknown leaves. */
function clientCerts() {
  const { root, intermediate } = makePki('Clients');
  const other = makePki('Other');
  return {
    root,
    intermediate,
    allowedLeaf: makeCert({ cn: 'allowed-leaf' }),
    secondLeaf: makeCert({ cn: 'second-leaf' }),
    byRoot: makeCert({ cn: 'issued-by-root', issuer: root }),
    byIntermediate: makeCert({ cn: 'issued-by-intermediate', issuer: intermediate }),
    serverOnly: makeCert({ cn: 'server-auth-only', issuer: root, eku: ['server'] }),
    expiredByRoot: makeCert({ cn: 'expired', issuer: root, notBeforeDays: -30, notAfterDays: -1 }),
    unknown: makeCert({ cn: 'unknown' }),
    byOtherCa: makeCert({ cn: 'other-ca', issuer: other.root }),
  };
}

type Certs = ReturnType<typeof clientCerts>;
const as = (cert: TestCert, chain: readonly TestCert[] = []): TlsClientOptions => ({ cert: cert.cert + chain.map((c) => c.cert).join(''), key: cert.key });

describe('client certificates: static allow list, binding and certificate auth', () => {
  let dir: TempDir;
  let up: TestUpstream;
  let gw: GatewayProcess;
  let c: Certs;
  const call = (path: string, options: Parameters<typeof httpsRequestTo>[2] = {}) => httpsRequestTo(gw.port, path, options);
  const control = (method: string, path: string, body?: string) =>
    httpsRequestTo(gw.port, path, { method, headers: { 'x-tyk-authorization': SECRET, 'content-type': 'text/plain' }, ...(body === undefined ? {} : { body }) });

  before(async () => {
    c = clientCerts();
    dir = await tempDir();
    const server = await dir.write('server.pem', makeCert({ cn: 'gw.test', dns: ['gw.test'] }).pair);
    const leafFile = await dir.write('allowed-leaf.pem', c.allowedLeaf.cert);
    up = await startUpstream();
    const mtls = (id: string, path: string, extra: Record<string, unknown>) => keylessApi(id, path, up.origin, {}, { org_id: ORG, use_mutual_tls_auth: true, ...extra });
    gw = await startGatewayProcess({
      config: { secret: SECRET, http_server_options: { use_ssl: true, ssl_certificates: [server] } },
      apis: {
        // Allow list: one leaf by file, the root CA inline (chains through the intermediate too).
        'static.json': mtls('static', '/static/', { client_certificates: [leafFile, c.root.cert] }),
        'static-token.json': mtls('static-token', '/static-token/', { use_keyless: false, use_standard_auth: true, client_certificates: [c.allowedLeaf.cert, c.secondLeaf.cert] }),
        'certauth.json': keylessApi('certauth', '/certauth/', up.origin, {}, { org_id: ORG, use_keyless: false, auth_configs: { authToken: { use_certificate: true } } }),
        // Tyk OAS, both contracts: 5.12's certificateAuth alone, and the older apiKey enableClientCertificate.
        'oas-new.json': oasApi('oas-new', '/oas-new/', up.origin, { orgId: ORG, authentication: { certificateAuth: { enabled: true } } }),
        'oas-old.json': oasApi('oas-old', '/oas-old/', up.origin, {
          orgId: ORG,
          components: { api_key: SCHEMES.api_key },
          security: [{ api_key: [] }],
          authentication: { securitySchemes: { api_key: { enabled: true, enableClientCertificate: true } } },
        }),
      },
    });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    await dir?.remove();
  });

  it('static allow list: an allowed leaf passes, an unknown one is refused with its fingerprint', async () => {
    assert.equal((await call('/static/x', as(c.allowedLeaf))).status, 200);
    const unknown = await call('/static/x', as(c.unknown));
    assert.equal(unknown.status, 403);
    assert.equal(unknown.text(), tykError(`Certificate with SHA256 ${c.unknown.sha256} not allowed`));
  });

  it('static allow list: a leaf issued by an allowed CA passes, also through an intermediate the client sends', async () => {
    assert.equal((await call('/static/x', as(c.byRoot))).status, 200);
    assert.equal((await call('/static/x', as(c.byIntermediate, [c.intermediate]))).status, 200);
    // Without the intermediate the chain cannot be built.
    assert.equal((await call('/static/x', as(c.byIntermediate))).status, 403);
    assert.equal((await call('/static/x', as(c.byOtherCa))).status, 403);
  });

  it('static allow list: a resumed TLS session (which carries no intermediates) still chains to the CA', async () => {
    const { Agent } = await import('node:https');
    const agent = new Agent({ keepAlive: false, maxCachedSessions: 10 });
    try {
      const first = await call('/static/x', { ...as(c.byIntermediate, [c.intermediate]), agent });
      const second = await call('/static/x', { ...as(c.byIntermediate, [c.intermediate]), agent });
      assert.equal(first.status, 200);
      assert.equal(second.resumed, true, 'the client resumed its session');
      assert.equal(second.status, 200);
    } finally {
      agent.destroy();
    }
  });

  it('static allow list: a CA-issued leaf must allow client authentication (Tyk checks serverAuth, quirk 18)', async () => {
    assert.equal((await call('/static/x', as(c.serverOnly))).status, 403);
  });

  it('static allow list: an expired certificate is refused; no certificate is refused', async () => {
    const expired = await call('/static/x', as(c.expiredByRoot));
    assert.equal(expired.status, 403);
    assert.equal(expired.text(), tykError('Certificate has expired'));
    const none = await call('/static/x');
    assert.equal(none.status, 403);
    assert.equal(none.text(), tykError('Client TLS certificate is required'));
  });

  it('static allow list: sending a copy of an allowed certificate behind an unknown leaf does not pass (quirk 17)', async () => {
    const res = await call('/static/x', as(c.unknown, [c.allowedLeaf]));
    assert.equal(res.status, 403);
  });

  it('static allow list with the auth token: both must pass, and a bound key works only with its certificate', async () => {
    assert.equal((await control('POST', `/tyk/certs?org_id=${ORG}`, c.allowedLeaf.cert)).status, 200);
    assert.equal((await control('POST', `/tyk/certs?org_id=${ORG}`, c.secondLeaf.cert)).status, 200);
    const plain = await control('POST', '/tyk/keys/plain-key', JSON.stringify(keySession('static-token', ORG)));
    assert.equal(plain.status, 200, plain.text());
    const bound = await control('POST', '/tyk/keys/bound-key', JSON.stringify(keySession('static-token', ORG, { mtls_static_certificate_bindings: [ORG + c.allowedLeaf.sha256] })));
    assert.equal(bound.status, 200, bound.text());
    const got = (await control('GET', `/tyk/keys/${ORG}bound-key`)).json() as Record<string, unknown>;
    assert.deepEqual(got['mtls_static_certificate_bindings'], [ORG + c.allowedLeaf.sha256]);

    assert.equal((await call('/static-token/x', { ...as(c.allowedLeaf), headers: { authorization: 'plain-key' } })).status, 200);
    assert.equal((await call('/static-token/x', { ...as(c.unknown), headers: { authorization: 'plain-key' } })).status, 403, 'the allow list runs first');
    assert.equal((await call('/static-token/x', as(c.allowedLeaf))).status, 401, 'the token is still needed');

    assert.equal((await call('/static-token/x', { ...as(c.allowedLeaf), headers: { authorization: 'bound-key' } })).status, 200);
    const wrong = await call('/static-token/x', { ...as(c.secondLeaf), headers: { authorization: 'bound-key' } });
    assert.equal(wrong.status, 401, 'allow-listed, but not the certificate the key is bound to');
    assert.equal(wrong.text(), tykError('Access to this API has been disallowed'));
  });

  it('/tyk/keys refuses bindings to certificates of another org or not in the store', async () => {
    const otherOrg = await control('POST', '/tyk/keys/k-other', JSON.stringify(keySession('static-token', ORG, { mtls_static_certificate_bindings: [`org2${c.allowedLeaf.sha256}`] })));
    assert.equal(otherOrg.status, 400);
    assert.deepEqual(otherOrg.json(), { status: 'error', message: `invalid certificate ID: org2${c.allowedLeaf.sha256}` });
    const missing = await control('POST', '/tyk/keys/k-missing', JSON.stringify(keySession('static-token', ORG, { mtls_static_certificate_bindings: [ORG + c.unknown.sha256] })));
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.json(), { status: 'error', message: `certificate not found: ${ORG}${c.unknown.sha256}` });
  });

  it('certificate auth: the linked certificate authenticates; the token alone, or an unlinked certificate, does not', async () => {
    const added = await control('POST', `/tyk/certs?org_id=${ORG}`, c.byRoot.cert);
    const certId = (added.json() as { id: string }).id;
    assert.equal(certId, ORG + c.byRoot.sha256);
    const key = await control('POST', '/tyk/keys/create', JSON.stringify(keySession('certauth', ORG, { certificate: certId })));
    assert.equal(key.status, 200, key.text());
    const token = (key.json() as { key: string }).key;
    assert.equal(token, certId, 'the key is named after its certificate (Tyk, without hash_key_function)');
    const duplicate = await control('POST', '/tyk/keys/create', JSON.stringify(keySession('certauth', ORG, { certificate: certId })));
    assert.equal(duplicate.status, 500);

    assert.equal((await call('/certauth/x', as(c.byRoot))).status, 200);
    const tokenOnly = await call('/certauth/x', { headers: { authorization: token } });
    assert.equal(tokenOnly.status, 401);
    assert.equal(tokenOnly.text(), tykError('Client certificate required'));
    const unlinked = await call('/certauth/x', as(c.unknown));
    assert.equal(unlinked.status, 401);
    assert.equal(unlinked.text(), tykError('Access to this API has been disallowed'));
    const unlinkedWithToken = await call('/certauth/x', { ...as(c.unknown), headers: { authorization: token } });
    assert.equal(unlinkedWithToken.status, 401, 'a token never stands in for the certificate');

    // Removing the certificate from the store disables its key.
    assert.equal((await control('DELETE', `/tyk/certs/${certId}`)).status, 200);
    const gone = await call('/certauth/x', as(c.byRoot));
    assert.equal(gone.status, 403);
  });

  it('certificate auth from Tyk OAS: server.authentication.certificateAuth and apiKey enableClientCertificate', async () => {
    const client = makeCert({ cn: 'oas-cert-auth' });
    const certId = ((await control('POST', `/tyk/certs?org_id=${ORG}`, client.cert)).json() as { id: string }).id;
    const rights = Object.fromEntries(['oas-new', 'oas-old'].map((id) => [id, { api_id: id, api_name: id, versions: ['Default'] }]));
    const key = await control('POST', '/tyk/keys/create', JSON.stringify({ org_id: ORG, access_rights: rights, certificate: certId }));
    assert.equal(key.status, 200, key.text());
    for (const path of ['/oas-new/x', '/oas-old/x']) {
      assert.equal((await call(path, as(client))).status, 200, path);
      const tokenOnly = await call(path, { headers: { authorization: certId, 'x-api-key': certId } });
      assert.equal(tokenOnly.status, 401, path);
      assert.equal(tokenOnly.text(), tykError('Client certificate required'));
      assert.equal((await call(path, as(c.unknown))).status, 401, `${path}: a certificate no key is linked to`);
    }
  });
});

describe('certificate auth with allow_unsafe_dynamic_mtls_token', () => {
  let dir: TempDir;
  let up: TestUpstream;
  let gw: GatewayProcess;
  before(async () => {
    dir = await tempDir();
    const server = await dir.write('server.pem', makeCert({ cn: 'gw.test', dns: ['gw.test'] }).pair);
    up = await startUpstream();
    gw = await startGatewayProcess({
      config: { secret: SECRET, security: { allow_unsafe_dynamic_mtls_token: true }, http_server_options: { use_ssl: true, ssl_certificates: [server] } },
      apis: { 'certauth.json': keylessApi('certauth', '/certauth/', up.origin, {}, { org_id: ORG, use_keyless: false, auth_configs: { authToken: { use_certificate: true } } }) },
    });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    await dir?.remove();
  });

  it('accepts the token alone, and still the certificate', async () => {
    const client = makeCert({ cn: 'unsafe-client' });
    const headers = { 'x-tyk-authorization': SECRET };
    const added = await httpsRequestTo(gw.port, `/tyk/certs?org_id=${ORG}`, { method: 'POST', headers, body: client.cert });
    const certId = (added.json() as { id: string }).id;
    const key = await httpsRequestTo(gw.port, '/tyk/keys/create', { method: 'POST', headers, body: JSON.stringify(keySession('certauth', ORG, { certificate: certId })) });
    const token = (key.json() as { key: string }).key;
    assert.equal((await httpsRequestTo(gw.port, '/certauth/x', { headers: { authorization: token } })).status, 200);
    assert.equal((await httpsRequestTo(gw.port, '/certauth/x', as(client))).status, 200);
    assert.equal((await httpsRequestTo(gw.port, '/certauth/x')).status, 401, 'neither: Authorization field missing');
    assert.equal((await httpsRequestTo(gw.port, '/certauth/x', { headers: { authorization: 'nope-nope' } })).status, 403);
  });
});

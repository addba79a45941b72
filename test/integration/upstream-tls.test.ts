import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keylessApi } from '../helpers/apis.js';
import { makeCa, makeLeaf, type TestCert } from '../helpers/certs.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { request } from '../helpers/http.js';
import { hasProgram } from '../helpers/programs.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';
import { assertProxyRefused, getThrough, startForwardProxy, startTlsUpstream, type ForwardProxyServer, type TlsUpstream } from '../helpers/tls-upstream.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

// Certificates are made with openssl; on CI its absence fails the suite rather than skipping it.
const skip = hasProgram('openssl') ? false : process.env['CI'] === 'true' ? false : 'openssl is not installed (apt-get install openssl)';
const LOOPBACK = ['IP:127.0.0.1'];

const transport = (settings: Record<string, unknown>) => ({ transport: settings });

describe('upstream TLS through a real gateway', { skip }, () => {
  let dir: TempDir;
  const certs: Record<string, TestCert> = {};
  const upstreams: Record<string, TlsUpstream> = {};
  let plain: TestUpstream;
  let proxy: ForwardProxyServer;
  let untrusting: GatewayProcess;
  let trusting: GatewayProcess;

  const get = getThrough;
  const refused = assertProxyRefused;

  before(async () => {
    dir = await tempDir();
    const ca = makeCa(dir, 'Hookgate Test CA');
    const otherCa = makeCa(dir, 'Hookgate Other CA');
    certs['ca'] = ca;
    certs['self'] = makeLeaf(dir, { cn: '127.0.0.1', sans: LOOPBACK });
    certs['server'] = makeLeaf(dir, { cn: '127.0.0.1', sans: LOOPBACK }, ca);
    certs['otherServer'] = makeLeaf(dir, { cn: '127.0.0.1', sans: LOOPBACK }, otherCa);
    certs['localhost'] = makeLeaf(dir, { cn: 'localhost', sans: ['DNS:localhost'] }, ca);
    certs['sanOnly'] = makeLeaf(dir, { cn: 'wrong.example', sans: LOOPBACK }, ca);
    certs['cnOnly'] = makeLeaf(dir, { cn: '127.0.0.1', sans: ['DNS:other.example'] }, ca);
    certs['clientStar'] = makeLeaf(dir, { cn: 'client-star' }, ca);
    certs['clientLocal'] = makeLeaf(dir, { cn: 'client-localhost' }, ca);
    certs['clientApi'] = makeLeaf(dir, { cn: 'client-api' }, ca);
    certs['unrelated'] = makeLeaf(dir, { cn: 'unrelated' }, ca);
    const c = certs as Record<string, TestCert>;
    const leaf = (name: string) => c[name] as TestCert;

    upstreams['self'] = await startTlsUpstream({ ...pair(leaf('self')) });
    upstreams['server'] = await startTlsUpstream({ ...pair(leaf('server')), requestCert: true });
    upstreams['other'] = await startTlsUpstream({ ...pair(leaf('otherServer')) });
    upstreams['localhost'] = await startTlsUpstream({ ...pair(leaf('localhost')), requestCert: true, host: 'localhost' });
    upstreams['sanOnly'] = await startTlsUpstream({ ...pair(leaf('sanOnly')) });
    upstreams['cnOnly'] = await startTlsUpstream({ ...pair(leaf('cnOnly')) });
    upstreams['tls12'] = await startTlsUpstream({ ...pair(leaf('server')), maxVersion: 'TLSv1.2' });
    upstreams['tls13'] = await startTlsUpstream({ ...pair(leaf('server')), minVersion: 'TLSv1.3' });
    upstreams['cipher'] = await startTlsUpstream({ ...pair(leaf('server')), maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
    plain = await startUpstream();
    proxy = await startForwardProxy();
    const up = (name: string) => (upstreams[name] as TlsUpstream).origin;
    const authedProxy = `http://hook:s%40cret@127.0.0.1:${proxy.port}`;

    untrusting = await startGatewayProcess({
      apis: {
        'self.json': keylessApi('self', '/self/', up('self')),
        'insecure.json': keylessApi('insecure', '/insecure/', up('self'), transport({ ssl_insecure_skip_verify: true })),
        'untrusted-pin.json': keylessApi('untrusted-pin', '/untrusted-pin/', up('server'), {}, { pinned_public_keys: { '*': leaf('server').certPath } }),
        'insecure-pin.json': keylessApi('insecure-pin', '/insecure-pin/', up('self'), transport({ ssl_insecure_skip_verify: true }), { pinned_public_keys: { '127.0.0.1': leaf('self').certPath } }),
        'insecure-wrong-pin.json': keylessApi('insecure-wrong-pin', '/insecure-wrong-pin/', up('self'), transport({ ssl_insecure_skip_verify: true }), { pinned_public_keys: { '127.0.0.1': leaf('unrelated').certPath } }),
      },
    });
    trusting = await startGatewayProcess({
      // The test CA from the config, the other one the way Go (Tyk) reads an extra trust store.
      env: { SSL_CERT_FILE: otherCa.certPath },
      config: {
        hookgate: { upstream: { ca_certificates: [ca.certPath] } },
        security: { certificates: { upstream: { '*': leaf('clientStar').pairPath, localhost: leaf('clientLocal').pairPath } } },
      },
      apis: {
        'ca.json': keylessApi('ca', '/ca/', up('server')),
        'env-ca.json': keylessApi('env-ca', '/env-ca/', up('other')),
        'localhost.json': keylessApi('localhost', '/localhost/', up('localhost')),
        'mtls-api.json': keylessApi('mtls-api', '/mtls-api/', up('server'), {}, { upstream_certificates: { '127.0.0.1': leaf('clientApi').pairPath } }),
        'mtls-off.json': keylessApi('mtls-off', '/mtls-off/', up('server'), {}, { upstream_certificates: { '127.0.0.1': leaf('clientApi').pairPath }, upstream_certificates_disabled: true }),
        'pin-right.json': keylessApi('pin-right', '/pin-right/', up('server'), {}, { pinned_public_keys: { '127.0.0.1': `${leaf('unrelated').certPath},${leaf('server').pairPath}` } }),
        'pin-wrong.json': keylessApi('pin-wrong', '/pin-wrong/', up('server'), {}, { pinned_public_keys: { '*': leaf('unrelated').certPath } }),
        'pin-off.json': keylessApi('pin-off', '/pin-off/', up('server'), {}, { pinned_public_keys: { '*': leaf('unrelated').certPath }, certificate_pinning_disabled: true }),
        'san-only.json': keylessApi('san-only', '/san-only/', up('sanOnly')),
        'san-only-cn.json': keylessApi('san-only-cn', '/san-only-cn/', up('sanOnly'), transport({ ssl_force_common_name_check: true })),
        'cn-only.json': keylessApi('cn-only', '/cn-only/', up('cnOnly')),
        'cn-only-cn.json': keylessApi('cn-only-cn', '/cn-only-cn/', up('cnOnly'), transport({ ssl_force_common_name_check: true })),
        'tls12.json': keylessApi('tls12', '/tls12/', up('tls12')),
        'tls12-min13.json': keylessApi('tls12-min13', '/tls12-min13/', up('tls12'), transport({ ssl_min_version: 772 })),
        'tls13.json': keylessApi('tls13', '/tls13/', up('tls13')),
        'tls13-max12.json': keylessApi('tls13-max12', '/tls13-max12/', up('tls13'), transport({ ssl_max_version: 771 })),
        'cipher-match.json': keylessApi('cipher-match', '/cipher-match/', up('cipher'), transport({ ssl_ciphers: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] })),
        'cipher-miss.json': keylessApi('cipher-miss', '/cipher-miss/', up('cipher'), transport({ ssl_ciphers: ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'] })),
        'proxy-http.json': keylessApi('proxy-http', '/proxy-http/', `${plain.origin}/base`, transport({ proxy_url: authedProxy })),
        'proxy-https.json': keylessApi('proxy-https', '/proxy-https/', up('server'), transport({ proxy_url: proxy.url }), { upstream_certificates: { '*': leaf('clientApi').pairPath } }),
        'proxy-pin-wrong.json': keylessApi('proxy-pin-wrong', '/proxy-pin-wrong/', up('server'), transport({ proxy_url: proxy.url }), { pinned_public_keys: { '*': leaf('unrelated').certPath } }),
        'oas-upstream.json': oasApi('oas-upstream', '/oas-upstream/', up('server'), {
          proxy: { enabled: true, url: proxy.url },
          mutualTLS: { enabled: true, domainToCertificateMapping: [{ domain: '127.0.0.1', certificate: leaf('clientApi').pairPath }] },
          certificatePinning: { enabled: true, domainToPublicKeysMapping: [{ domain: '*', publicKeys: [leaf('server').certPath] }] },
        }),
        'oas-min13.json': oasApi('oas-min13', '/oas-min13/', up('tls12'), { tlsTransport: { minVersion: '1.3' } }),
      },
    });
  });

  after(async () => {
    await Promise.allSettled([untrusting?.stop(), trusting?.stop()]);
    await Promise.allSettled([...Object.values(upstreams).map((u) => u.close()), plain?.close(), proxy?.close()]);
    await dir?.remove();
  });

  it('refuses a self-signed upstream by default with Tyk\'s proxy error, and accepts it with insecure skip verify', async () => {
    await refused(untrusting, '/self/x');
    const insecure = await get(untrusting, '/insecure/x');
    assert.equal(insecure.status, 200);
    assert.equal(insecure.seen?.url, '/x');
    // The log line travels through the gateway's stdout: it may arrive after the response.
    await untrusting.waitForLog((l) => l.msg === 'upstream request failed' && l['error_code'] === 'HG_ERR_UPSTREAM_TLS');
  });

  it('trusts an upstream whose CA is configured (hookgate.upstream.ca_certificates, or SSL_CERT_FILE as Go reads it)', async () => {
    assert.equal((await get(trusting, '/ca/x')).status, 200);
    assert.equal((await get(trusting, '/env-ca/x')).status, 200);
  });

  it('presents the upstream client certificate chosen per host: the API map over the gateway map, the host over *', async () => {
    assert.equal((await get(trusting, '/ca/x')).seen?.clientCn, 'client-star');
    assert.equal((await get(trusting, '/localhost/x')).seen?.clientCn, 'client-localhost');
    assert.equal((await get(trusting, '/mtls-api/x')).seen?.clientCn, 'client-api');
    assert.equal((await get(trusting, '/mtls-off/x')).seen?.clientCn, 'client-star');
  });

  it('checks pinned public keys in addition to the chain: right pin passes, wrong pin and untrusted chain fail', async () => {
    assert.equal((await get(trusting, '/pin-right/x')).status, 200);
    await refused(trusting, '/pin-wrong/x');
    assert.equal((await get(trusting, '/pin-off/x')).status, 200);
    // The right pin does not make an untrusted chain acceptable (Tyk would skip chain verification here).
    await refused(untrusting, '/untrusted-pin/x');
    // With insecure skip verify, the pin is still checked.
    assert.equal((await get(untrusting, '/insecure-pin/x')).status, 200);
    await refused(untrusting, '/insecure-wrong-pin/x');
  });

  it('with ssl_force_common_name_check, matches the host against the CN instead of the SAN', async () => {
    assert.equal((await get(trusting, '/san-only/x')).status, 200);
    await refused(trusting, '/san-only-cn/x');
    await refused(trusting, '/cn-only/x');
    assert.equal((await get(trusting, '/cn-only-cn/x')).status, 200);
  });

  it('refuses an upstream restricted to a TLS version or cipher the API does not allow', async () => {
    assert.equal((await get(trusting, '/tls12/x')).seen?.protocol, 'TLSv1.2');
    await refused(trusting, '/tls12-min13/x');
    assert.equal((await get(trusting, '/tls13/x')).seen?.protocol, 'TLSv1.3');
    await refused(trusting, '/tls13-max12/x');
    assert.equal((await get(trusting, '/cipher-match/x')).seen?.cipher, 'ECDHE-ECDSA-AES128-GCM-SHA256');
    await refused(trusting, '/cipher-miss/x');
    await refused(trusting, '/oas-min13/x');
  });

  it('sends requests through a forward proxy: absolute form for http, a CONNECT tunnel for https', async () => {
    const before = proxy.seen.length;
    const viaHttp = await request(trusting.url('/proxy-http/y?q=1'));
    assert.equal(viaHttp.status, 200);
    assert.equal(plain.received.at(-1)?.url, '/base/y?q=1');
    const absolute = proxy.seen.slice(before).find((s) => s.method === 'GET');
    assert.equal(absolute?.target, `${plain.origin}/base/y?q=1`);
    assert.equal(absolute?.proxyAuthorization, `Basic ${Buffer.from('hook:s@cret').toString('base64')}`);

    const viaHttps = await get(trusting, '/proxy-https/z');
    assert.equal(viaHttps.status, 200);
    // TLS and mTLS run end to end through the tunnel.
    assert.equal(viaHttps.seen?.clientCn, 'client-api');
    const port = (upstreams['server'] as TlsUpstream).port;
    assert.ok(proxy.seen.slice(before).some((s) => s.method === 'CONNECT' && s.target === `127.0.0.1:${port}`));
    await refused(trusting, '/proxy-pin-wrong/z');
  });

  it('reads OAS upstream.proxy, mutualTLS and certificatePinning', async () => {
    const before = proxy.seen.length;
    const res = await get(trusting, '/oas-upstream/w');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.seen?.clientCn, 'client-api');
    assert.ok(proxy.seen.slice(before).some((s) => s.method === 'CONNECT'));
  });
});

function pair(cert: TestCert): { cert: string; key: string } {
  return { cert: cert.cert, key: cert.key };
}

function oasApi(id: string, listenPath: string, url: string, upstream: Record<string, unknown>) {
  return {
    openapi: '3.0.3',
    info: { title: id, version: '1.0.0' },
    paths: {},
    'x-tyk-api-gateway': {
      info: { id, name: id, state: { active: true } },
      upstream: { url, ...upstream },
      server: { listenPath: { value: listenPath, strip: true } },
    },
  };
}

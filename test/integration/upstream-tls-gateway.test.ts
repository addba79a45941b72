import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keylessApi } from '../helpers/apis.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { request } from '../helpers/http.js';
import { assertProxyRefused, getThrough, startForwardProxy, startTlsUpstream, type ForwardProxyServer, type TlsUpstream } from '../helpers/tls-upstream.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';
import { makeCert } from '../helpers/x509.js';


/**
 * The gateway-wide upstream settings of tyk.conf, each through a real gateway process: one gateway
 * with the defaults, one with proxy_ssl_disable_renegotiation, ssl_force_common_name_check,
 * proxy_ssl_ciphers and security.pinned_public_keys set. Upstreams and an HTTPS forward proxy are
 * started here, with certificates made here.
 */
describe('gateway-wide upstream TLS settings and an HTTPS forward proxy', () => {
  const upstreams: Record<string, TlsUpstream> = {};
  let plain: TestUpstream;
  let httpsProxy: ForwardProxyServer;
  let defaults: GatewayProcess;
  let strict: GatewayProcess;
  let dir: TempDir;

  const get = getThrough;
  const refused = assertProxyRefused;

  before(async () => {
    const ca = makeCert({ cn: 'Gateway-wide Upstream CA', ca: true });
    const proxyCa = makeCert({ cn: 'Forward Proxy CA', ca: true });
    const good = makeCert({ cn: '127.0.0.1', ips: ['127.0.0.1'], issuer: ca });
    const sanOnly = makeCert({ cn: 'wrong.example', ips: ['127.0.0.1'], issuer: ca });
    const local = makeCert({ cn: 'localhost', dns: ['localhost'], issuer: ca });
    const unrelated = makeCert({ cn: 'unrelated' });
    const proxyCert = makeCert({ cn: '127.0.0.1', ips: ['127.0.0.1'], issuer: proxyCa });
    const pair = (c: { cert: string; key: string }) => ({ cert: c.cert, key: c.key });

    upstreams['good'] = await startTlsUpstream(pair(good));
    upstreams['tls12'] = await startTlsUpstream({ ...pair(good), maxVersion: 'TLSv1.2' });
    upstreams['aes256'] = await startTlsUpstream({ ...pair(good), maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' });
    upstreams['sanOnly'] = await startTlsUpstream(pair(sanOnly));
    upstreams['local'] = await startTlsUpstream({ ...pair(local), host: 'localhost' });
    upstreams['reneg'] = await startTlsUpstream({ ...pair(good), maxVersion: 'TLSv1.2', renegotiate: true });
    plain = await startUpstream();
    httpsProxy = await startForwardProxy({ tls: pair(proxyCert) });
    const up = (name: string) => (upstreams[name] as TlsUpstream).origin;
    const viaProxy = { transport: { proxy_url: httpsProxy.url } };
    const apis = {
      'good.json': keylessApi('good', '/good/', up('good')),
      'tls12.json': keylessApi('tls12', '/tls12/', up('tls12')),
      'aes256.json': keylessApi('aes256', '/aes256/', up('aes256')),
      'san-only.json': keylessApi('san-only', '/san-only/', up('sanOnly')),
      'local.json': keylessApi('local', '/local/', up('local')),
      'reneg.json': keylessApi('reneg', '/reneg/', up('reneg')),
      'proxy-https.json': keylessApi('proxy-https', '/proxy-https/', up('good'), viaProxy),
      'proxy-http.json': keylessApi('proxy-http', '/proxy-http/', `${plain.origin}/base`, viaProxy),
    };
    const files = { 'ca.pem': ca.cert, 'good.pem': good.cert, 'san-only.pem': sanOnly.cert, 'unrelated.pem': unrelated.cert };
    dir = await tempDir();
    const proxyCaPath = await dir.write('proxy-ca.pem', proxyCa.cert);
    [defaults, strict] = await Promise.all([
      // The proxy's CA the way Go (Tyk) reads an extra trust store; the strict gateway lacks it.
      startGatewayProcess({ files, apis, config: { hookgate: { upstream: { ca_certificates: ['ca.pem'] } } }, env: { SSL_CERT_FILE: proxyCaPath } }),
      startGatewayProcess({
        files,
        apis,
        config: {
          hookgate: { upstream: { ca_certificates: ['ca.pem'] } },
          proxy_ssl_disable_renegotiation: true,
          ssl_force_common_name_check: true,
          proxy_ssl_ciphers: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
          security: { pinned_public_keys: { '*': 'good.pem, san-only.pem', localhost: 'unrelated.pem' } },
        },
      }),
    ]);
  });

  after(async () => {
    await Promise.allSettled([defaults?.stop(), strict?.stop()]);
    await Promise.allSettled([...Object.values(upstreams).map((u) => u.close()), plain?.close(), httpsProxy?.close()]);
    await dir?.remove();
  });

  it('proxy_ssl_disable_renegotiation: by default an upstream may renegotiate (Tyk: RenegotiateFreelyAsClient); set, the gateway refuses', async () => {
    const allowed = await get(defaults, '/reneg/x');
    assert.equal(allowed.status, 200, allowed.text);
    assert.equal(allowed.seen?.renegotiated, true);
    assert.equal(allowed.seen?.protocol, 'TLSv1.2');
    await refused(strict, '/reneg/x');
    // The upstream ends the connection with a handshake_failure alert; undici reports it as closed.
    await strict.waitForLog((l) => l.msg === 'upstream request failed' && l['api_id'] === 'reneg');
    // The same upstream without renegotiation passes every other strict setting.
    assert.equal((await get(strict, '/tls12/x')).status, 200);
  });

  it('proxy_ssl_ciphers restricts TLS 1.2 upstreams to the listed suites', async () => {
    assert.equal((await get(defaults, '/aes256/x')).seen?.cipher, 'ECDHE-ECDSA-AES256-GCM-SHA384');
    await refused(strict, '/aes256/x');
    assert.equal((await get(strict, '/tls12/x')).seen?.cipher, 'ECDHE-ECDSA-AES128-GCM-SHA256');
    // TLS 1.3 keeps its own suites, as in Go.
    assert.equal((await get(strict, '/good/x')).seen?.protocol, 'TLSv1.3');
  });

  it('ssl_force_common_name_check: the CN must be the host, the SAN no longer counts', async () => {
    assert.equal((await get(defaults, '/san-only/x')).status, 200);
    await refused(strict, '/san-only/x');
    await strict.waitForLog((l) => l.msg === 'upstream request failed' && l['api_id'] === 'san-only' && l['err'] === 'certificate had CN wrong.example expected 127.0.0.1');
  });

  it('security.pinned_public_keys: per host, the host entry over *', async () => {
    assert.equal((await get(strict, '/good/x')).status, 200, 'pinned by *');
    assert.equal((await get(defaults, '/local/x')).status, 200);
    await refused(strict, '/local/x');
  });

  it('an https:// forward proxy: TLS to the proxy (its certificate verified), then a CONNECT tunnel or an absolute-form request', async () => {
    const before = httpsProxy.seen.length;
    const tunnelled = await get(defaults, '/proxy-https/z');
    assert.equal(tunnelled.status, 200, tunnelled.text);
    const port = (upstreams['good'] as TlsUpstream).port;
    assert.ok(httpsProxy.seen.slice(before).some((s) => s.method === 'CONNECT' && s.target === `127.0.0.1:${port}`));
    const absolute = await request(defaults.url('/proxy-http/y?q=1'));
    assert.equal(absolute.status, 200, absolute.text());
    assert.ok(httpsProxy.seen.slice(before).some((s) => s.method === 'GET' && s.target === `${plain.origin}/base/y?q=1`));
    // Without the proxy's CA in the trust store, the proxy is refused.
    const seenBefore = httpsProxy.seen.length;
    await refused(strict, '/proxy-https/z');
    assert.equal(httpsProxy.seen.length, seenBefore, 'nothing is sent to an untrusted proxy');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keylessApi } from '../helpers/apis.js';
import { control, SECRET } from '../helpers/control.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { request } from '../helpers/http.js';
import { requireProgram } from '../helpers/programs.js';
import { startRedis } from '../helpers/redis.js';
import { startTlsUpstream, type TlsSeen } from '../helpers/tls-upstream.js';
import { makeCert } from '../helpers/x509.js';

const ORG = 'org1';

describe('upstream TLS with certificate-store IDs', () => {
  it('resolves upstream client certificates, CAs and pins from /tyk/certs uploads at start and on reload; a missing ID refuses the API', async (t) => {
    if (!requireProgram(t, 'redis-server', 'apt-get install redis-server')) return;
    const ca = makeCert({ cn: 'Store Upstream CA', ca: true });
    const server = makeCert({ cn: '127.0.0.1', ips: ['127.0.0.1'], issuer: ca });
    const gatewayClient = makeCert({ cn: 'store-client', issuer: ca });
    const apiClient = makeCert({ cn: 'store-api-client', issuer: ca });
    const id = (cert: { sha256: string }) => ORG + cert.sha256;
    const redis = await startRedis();
    const upstream = await startTlsUpstream({ cert: server.cert, key: server.key, requestCert: true });
    const gateways: GatewayProcess[] = [];
    const start = async () => {
      const gw = await startGatewayProcess({
        config: {
          secret: SECRET,
          storage: { type: 'redis', host: '127.0.0.1', port: redis.port },
          hookgate: { upstream: { ca_certificates: [id(ca)] } },
          security: { certificates: { upstream: { '*': id(gatewayClient) } }, pinned_public_keys: { '127.0.0.1': id(server) } },
        },
        apis: {
          'gw-map.json': keylessApi('gw-map', '/gw-map/', upstream.origin),
          'api-map.json': keylessApi('api-map', '/api-map/', upstream.origin, {}, { upstream_certificates: { '127.0.0.1': id(apiClient) } }),
          'plain.json': keylessApi('plain', '/plain/', 'http://127.0.0.1:9'),
        },
      });
      gateways.push(gw);
      return gw;
    };
    const seen = async (gw: GatewayProcess, path: string) => {
      const res = await request(gw.url(path));
      assert.equal(res.status, 200, `${path}: ${res.text()}`);
      return (res.json() as TlsSeen).clientCn;
    };
    try {
      // Nothing is in the store yet: the https APIs are refused, naming the field and the ID.
      const first = await start();
      const refusal = await first.waitForLog((l) => l.msg.startsWith('API refused') && l['api_id'] === 'gw-map' && String(l['field']).startsWith('security.certificates.upstream'));
      assert.match(refusal.msg, new RegExp(`\`security\\.certificates\\.upstream\\["\\*"\\]\`: certificate "${id(gatewayClient)}": .*not in the certificate store`));
      assert.ok(first.logs.some((l) => l.msg.startsWith('API refused') && l['api_id'] === 'gw-map' && String(l.msg).includes(id(ca))), 'the missing CA is named too');
      assert.notEqual((await request(first.url('/gw-map/x'))).status, 200);
      assert.ok(first.logs.some((l) => l.msg === 'API loaded' && l['api_id'] === 'plain'), 'an http API does not need them');

      for (const pem of [gatewayClient.pair, apiClient.pair, ca.cert, server.cert]) {
        const added = await control(first.url(''), 'POST', `/tyk/certs?org_id=${ORG}`, pem);
        assert.equal(added.status, 200, added.text());
      }
      assert.equal((await control(first.url(''), 'GET', '/tyk/reload?block=true')).status, 200);
      // The real mTLS upstream receives the certificate from the store (it trusts the chain via the stored CA and pin).
      assert.equal(await seen(first, '/gw-map/x'), 'store-client');
      assert.equal(await seen(first, '/api-map/x'), 'store-api-client');

      // A gateway started on the same Redis reads them before its APIs load.
      const second = await start();
      assert.equal(await seen(second, '/gw-map/y'), 'store-client');
      assert.equal(await seen(second, '/api-map/y'), 'store-api-client');
      assert.ok(!second.logs.some((l) => l.msg.startsWith('API refused')));

      // Storage gone: a reload cannot read the IDs, so it is not applied; the APIs keep serving.
      await redis.stop();
      const reload = await control(first.url(''), 'GET', '/tyk/reload?block=true');
      assert.equal(reload.status, 503, reload.text());
      await first.waitForLog((l) => /certificate store could not be read/.test(String(l['err'])));
      assert.equal(await seen(first, '/gw-map/z'), 'store-client');
    } finally {
      await Promise.allSettled(gateways.map((gw) => gw.stop()));
      await upstream.close();
      await Promise.allSettled([redis.stop()]);
    }
  });
});

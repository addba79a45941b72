import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keylessApi } from '../helpers/apis.js';
import { makeCert, type TestCert } from '../helpers/x509.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { requireProgram } from '../helpers/programs.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';
import { handshake, httpsRequestTo, opensslClient } from '../helpers/tls.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

/** Certificates for two host names, a default one, and an API's custom domain. */
function serverCerts() {
  return {
    fallback: makeCert({ cn: 'default.test', dns: ['default.test'], keyType: 'rsa' }),
    a: makeCert({ cn: 'a.test', dns: ['a.test'] }),
    b: makeCert({ cn: 'b.test', dns: ['b.test', '*.b.test'] }),
    shop: makeCert({ cn: 'shop.test', dns: ['shop.test'] }),
  };
}

describe('the gateway as a TLS server', () => {
  let dir: TempDir;
  let up: TestUpstream;
  let gw: GatewayProcess;
  let certs: Record<'fallback' | 'a' | 'b' | 'shop', TestCert>;

  before(async () => {
    certs = serverCerts();
    dir = await tempDir();
    const files: Record<string, string> = {};
    for (const [name, cert] of Object.entries(certs)) files[name] = await dir.write(`${name}.pem`, cert.pair);
    up = await startUpstream();
    gw = await startGatewayProcess({
      config: {
        http_server_options: { use_ssl: true, ssl_certificates: [files['fallback'], files['a'], files['b']] },
        enable_custom_domains: true,
      },
      apis: {
        'open.json': keylessApi('open', '/open/', up.origin),
        'shop.json': keylessApi('shop', '/open/', `${up.origin}/shop`, {}, { domain: 'shop.test', certificates: [files['shop']] }),
        'shop-only.json': keylessApi('shop-only', '/only/', `${up.origin}/shop-only`, {}, { domain: 'shop.test' }),
      },
    });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    await dir?.remove();
  });

  it('picks the certificate whose name matches the SNI, and the first loaded for an unknown name or none', async () => {
    assert.equal((await handshake(gw.port, { servername: 'a.test' })).serverCn, 'a.test');
    assert.equal((await handshake(gw.port, { servername: 'b.test' })).serverCn, 'b.test');
    assert.equal((await handshake(gw.port, { servername: 'x.b.test' })).serverCn, 'b.test', 'a wildcard SAN matches one level');
    assert.equal((await handshake(gw.port, { servername: 'unknown.test' })).serverCn, 'default.test');
    assert.equal((await handshake(gw.port, {})).serverCn, 'default.test', 'no SNI at all (an IP address)');
  });

  it('verifies: a client trusting only a.test gets a valid chain for a.test', async () => {
    const res = await httpsRequestTo(gw.port, '/open/x', { servername: 'a.test', ca: certs.a.cert, host: 'a.test' });
    assert.equal(res.status, 200);
    assert.equal(res.serverCn, 'a.test');
  });

  it('an API custom domain brings its certificate and its own route on that host only', async () => {
    const onShop = await httpsRequestTo(gw.port, '/open/x', { servername: 'shop.test', ca: certs.shop.cert, host: 'shop.test' });
    assert.equal(onShop.status, 200);
    assert.equal(onShop.serverCn, 'shop.test');
    assert.equal(up.received.at(-1)?.url, '/shop/x', 'the domain API, not the domain-less one on the same listen path');
    const onOther = await httpsRequestTo(gw.port, '/open/x', { servername: 'a.test', host: 'a.test' });
    assert.equal(onOther.status, 200);
    assert.equal(up.received.at(-1)?.url, '/x', 'another host gets the domain-less API');
    assert.equal((await httpsRequestTo(gw.port, '/only/x', { servername: 'a.test', host: 'a.test' })).status, 404);
    assert.equal((await httpsRequestTo(gw.port, '/only/x', { servername: 'shop.test', host: 'shop.test:443' })).status, 200);
  });

  it('refuses TLS 1.1 and offers TLS 1.3 by default (Tyk: max_version 772 unless set)', async () => {
    const old = await handshake(gw.port, { servername: 'a.test', minVersion: 'TLSv1', maxVersion: 'TLSv1.1' });
    assert.equal(old.ok, false, JSON.stringify(old));
    assert.equal((await handshake(gw.port, { servername: 'a.test', minVersion: 'TLSv1.3' })).protocol, 'TLSv1.3');
  });

  it('a plain-HTTP request on the TLS port is not answered as HTTP', async () => {
    const res = await fetch(`http://127.0.0.1:${gw.port}/open/x`).then((r) => r.status, (err: Error) => err.name);
    assert.notEqual(res, 200);
  });
});

describe('TLS versions and ciphers from http_server_options', () => {
  let dir: TempDir;
  let gw: GatewayProcess;
  let up: TestUpstream;
  before(async () => {
    dir = await tempDir();
    const file = await dir.write('server.pem', makeCert({ cn: 'rsa.test', dns: ['rsa.test'], keyType: 'rsa' }).pair);
    up = await startUpstream();
    gw = await startGatewayProcess({
      config: {
        http_server_options: {
          use_ssl: true,
          ssl_certificates: [file],
          min_version: 771,
          max_version: 771,
          ssl_ciphers: ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'tls_ecdhe_rsa_with_chacha20_poly1305'],
        },
      },
      apis: { 'open.json': keylessApi('open', '/open/', up.origin) },
    });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    await dir?.remove();
  });

  it('max_version 771 refuses TLS 1.3; TLS 1.2 works', async () => {
    const tls13 = await handshake(gw.port, { minVersion: 'TLSv1.3' });
    assert.equal(tls13.ok, false, JSON.stringify(tls13));
    assert.equal((await handshake(gw.port, {})).protocol, 'TLSv1.2');
  });

  it('honours the cipher list: a listed suite is negotiated, an unlisted one is refused (openssl s_client)', async (t) => {
    if (!requireProgram(t, 'openssl', 'apt-get install openssl')) return;
    const listed = await opensslClient(gw.port, ['-tls1_2', '-cipher', 'ECDHE-RSA-AES256-GCM-SHA384']);
    assert.match(listed.output, /Cipher is ECDHE-RSA-AES256-GCM-SHA384/, listed.output);
    const chacha = await opensslClient(gw.port, ['-tls1_2', '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305']);
    assert.match(chacha.output, /Cipher is ECDHE-RSA-CHACHA20-POLY1305/, 'the legacy Go alias maps too');
    const unlisted = await opensslClient(gw.port, ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256']);
    assert.doesNotMatch(unlisted.output, /Cipher is ECDHE-RSA-AES128-GCM-SHA256/);
    assert.match(unlisted.output, /alert|handshake failure|no ciphers|Cipher is \(NONE\)/i, unlisted.output);
  });
});

describe('enable_http2', () => {
  it('serves HTTP/2 (ALPN h2) and HTTP/1.1 on the same port; bodies without Content-Length reach the upstream', async () => {
    const { connect } = await import('node:http2');
    const dir = await tempDir();
    const file = await dir.write('server.pem', makeCert({ cn: 'h2.test', dns: ['h2.test'] }).pair);
    const up = await startUpstream();
    const gw = await startGatewayProcess({
      config: { http_server_options: { use_ssl: true, enable_http2: true, ssl_certificates: [file] } },
      apis: { 'open.json': keylessApi('open', '/open/', up.origin) },
    });
    const session = connect(`https://127.0.0.1:${gw.port}`, { rejectUnauthorized: false, servername: 'h2.test' });
    try {
      const post = (path: string, body: string) =>
        new Promise<{ status: number; text: string }>((resolve, reject) => {
          const stream = session.request({ ':method': 'POST', ':path': path });
          let text = '';
          let status = 0;
          stream.on('response', (headers) => (status = Number(headers[':status'])));
          stream.setEncoding('utf8').on('data', (c: string) => (text += c));
          stream.on('end', () => resolve({ status, text }));
          stream.on('error', reject);
          stream.end(body);
        });
      const res = await post('/open/echo', 'x'.repeat(1000));
      assert.equal(res.status, 200, res.text);
      const seen = JSON.parse(res.text) as { method: string; url: string; bodyBytes: number; headers: Record<string, string> };
      assert.equal(seen.method, 'POST');
      assert.equal(seen.url, '/echo');
      assert.equal(seen.bodyBytes, 1000);
      assert.equal(seen.headers['x-forwarded-host'], `h2.test:${gw.port}`, ':authority is the Host the gateway forwards for');
      assert.equal(Object.keys(seen.headers).some((h) => h.startsWith(':')), false, 'no pseudo-header goes upstream');
      assert.equal((await post('/nowhere', '')).status, 404);
      assert.equal((await httpsRequestTo(gw.port, '/open/x', { servername: 'h2.test' })).status, 200, 'HTTP/1.1 still works');
    } finally {
      session.close();
      await gw.stop();
      await up.close();
      await dir.remove();
    }
  });
});

describe('skip_client_ca_announcement', () => {
  for (const skip of [false, true]) {
    it(`${skip ? 'does not name' : 'names'} the accepted client CAs in the handshake (openssl s_client)`, async (t) => {
      if (!requireProgram(t, 'openssl', 'apt-get install openssl')) return;
      const dir = await tempDir();
      const ca = makeCert({ cn: 'Announced Client CA', ca: true });
      const file = await dir.write('server.pem', makeCert({ cn: 'ca.test', dns: ['ca.test'] }).pair);
      const gw = await startGatewayProcess({
        config: { http_server_options: { use_ssl: true, ssl_certificates: [file], skip_client_ca_announcement: skip } },
        apis: { 'm.json': keylessApi('m', '/m/', 'http://127.0.0.1:9', {}, { use_mutual_tls_auth: true, client_certificates: [ca.cert] }) },
      });
      try {
        const out = (await opensslClient(gw.port, ['-servername', 'ca.test', '-tls1_2'])).output;
        if (skip) {
          assert.match(out, /No client certificate CA names sent/, out);
        } else {
          assert.match(out, /Acceptable client certificate CA names\n[^\n]*Announced Client CA/, out);
        }
        assert.match(out, /Requested Signature Algorithms|Client Certificate Types/, 'a client certificate is asked for either way');
      } finally {
        await gw.stop();
        await dir.remove();
      }
    });
  }
});

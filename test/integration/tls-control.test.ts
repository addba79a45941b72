import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { keylessApi } from '../helpers/apis.js';
import { makeCert, makePki } from '../helpers/x509.js';
import { SECRET } from '../helpers/control.js';
import { startGatewayProcess } from '../helpers/gateway-process.js';
import { request } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { requireProgram } from '../helpers/programs.js';
import { startRedis } from '../helpers/redis.js';
import { tempDir } from '../helpers/tmp.js';
import { handshake, httpsRequestTo } from '../helpers/tls.js';

const ORG = 'org1';
const admin = { 'x-tyk-authorization': SECRET };

describe('the control API over mTLS on its own host name and port', () => {
  it('refuses a client without a certificate (or with an untrusted one) in the handshake, answers one the CA issued', async () => {
    const dir = await tempDir();
    const { root } = makePki('Admins');
    const adminCert = makeCert({ cn: 'dashboard', issuer: root });
    const stranger = makeCert({ cn: 'stranger' });
    const server = await dir.write('server.pem', makeCert({ cn: 'gw.test', dns: ['gw.test', 'control.test'] }).pair);
    const ca = await dir.write('admins-ca.pem', root.cert);
    const gw = await startGatewayProcess({
      config: {
        secret: SECRET,
        control_api_port: 0,
        control_api_hostname: 'control.test',
        http_server_options: { use_ssl: true, ssl_certificates: [server] },
        security: { control_api_use_mutual_tls: true, certificates: { control_api: [ca] } },
        hookgate: { metrics: { enabled: false } },
      },
      apis: { 'open.json': keylessApi('open', '/open/', 'http://127.0.0.1:9') },
    });
    try {
      // control_api_port 0 in a test means "pick one": find the control listener in the log.
      const line = await gw.waitForLog((l) => l.msg === 'gateway listening');
      const controlPort = line['control_port'] as number | undefined;
      assert.equal(controlPort, undefined, 'control_api_port 0 shares the gateway listener');
      // Shared listener: the handshake only asks; the HTTP check refuses with Tyk's shape.
      const without = await httpsRequestTo(gw.port, '/tyk/certs', { servername: 'control.test', host: 'control.test', headers: admin });
      assert.equal(without.status, 403);
      assert.deepEqual(without.json(), { status: 'error', message: 'Client TLS certificate is required' });
      const wrong = await httpsRequestTo(gw.port, '/tyk/certs', { servername: 'control.test', host: 'control.test', headers: admin, cert: stranger.cert, key: stranger.key });
      assert.equal(wrong.status, 403);
      const ok = await httpsRequestTo(gw.port, '/tyk/certs', { servername: 'control.test', host: 'control.test', headers: admin, cert: adminCert.cert, key: adminCert.key });
      assert.equal(ok.status, 200, ok.text());
      // On another host name /tyk/ does not exist (Tyk answers on any host, quirk 21).
      const elsewhere = await httpsRequestTo(gw.port, '/tyk/certs', { servername: 'gw.test', host: 'gw.test', headers: admin, cert: adminCert.cert, key: adminCert.key });
      assert.equal(elsewhere.status, 404);
    } finally {
      await gw.stop();
      await dir.remove();
    }
  });

  it('on control_api_port the handshake itself requires a certificate from the configured CA', async () => {
    const dir = await tempDir();
    const { root } = makePki('Admins');
    const adminCert = makeCert({ cn: 'dashboard', issuer: root });
    const stranger = makeCert({ cn: 'stranger' });
    const server = await dir.write('server.pem', makeCert({ cn: 'gw.test', dns: ['gw.test'] }).pair);
    const port = await freePort();
    const gw = await startGatewayProcess({
      config: {
        secret: SECRET,
        control_api_port: port,
        http_server_options: { use_ssl: true, ssl_certificates: [server] },
        security: { control_api_use_mutual_tls: true, certificates: { control_api: [root.cert] } },
      },
    });
    try {
      // TLS 1.3: the client finishes its side first; the server's alert then ends the connection.
      const without = await httpsRequestTo(port, '/tyk/certs', { headers: admin }).then((r) => `answered ${r.status}`, (err: NodeJS.ErrnoException) => err.code ?? err.message);
      assert.doesNotMatch(without, /^answered/, 'no HTTP answer without a client certificate');
      const untrusted = await httpsRequestTo(port, '/tyk/certs', { headers: admin, cert: stranger.cert, key: stranger.key }).then((r) => `answered ${r.status}`, (err: NodeJS.ErrnoException) => err.code ?? err.message);
      assert.doesNotMatch(untrusted, /^answered/, 'no HTTP answer for a certificate the CA did not issue');
      assert.equal((await handshake(port, { maxVersion: 'TLSv1.2' })).ok, false, 'with TLS 1.2 the handshake itself fails');
      const ok = await httpsRequestTo(port, '/tyk/certs', { headers: admin, cert: adminCert.cert, key: adminCert.key });
      assert.equal(ok.status, 200, ok.text());
      assert.deepEqual(ok.json(), { certs: null });
      // The gateway port does not serve the control API at all.
      assert.equal((await httpsRequestTo(gw.port, '/tyk/certs', { headers: admin, cert: adminCert.cert, key: adminCert.key })).status, 404);
    } finally {
      await gw.stop();
      await dir.remove();
    }
  });
});

describe('/tyk/certs', () => {
  it('adds, lists, describes and deletes certificates; two gateways on one Redis see the same store', async (t) => {
    if (!requireProgram(t, 'redis-server', 'apt-get install redis-server')) return;
    const redis = await startRedis();
    const storage = { type: 'redis', host: '127.0.0.1', port: redis.port };
    const [a, b] = await Promise.all([0, 1].map(() => startGatewayProcess({ config: { secret: SECRET, storage } })));
    assert.ok(a && b);
    const certs = (gw: typeof a, method: string, path: string, body?: string) => request(gw.url(`/tyk/certs${path}`), { method, headers: admin, ...(body === undefined ? {} : { body }) });
    try {
      const pair = makeCert({ cn: 'api.example', dns: ['api.example', 'www.api.example'] });
      const added = await certs(a, 'POST', `?org_id=${ORG}`, pair.pair);
      assert.equal(added.status, 200, added.text());
      const id = `${ORG}${pair.sha256}`;
      assert.deepEqual(added.json(), { id, status: 'ok', message: 'Certificate added' });
      assert.equal(added.text().endsWith('}\n'), true, "Go's encoder ends the body with a newline");

      // Gateway B reads what A stored.
      assert.deepEqual((await certs(b, 'GET', `?org_id=${ORG}`)).json(), { certs: [id] });
      assert.deepEqual((await certs(b, 'GET', '?org_id=org2')).json(), { certs: null });
      const meta = (await certs(b, 'GET', `/${id}`)).json() as Record<string, unknown>;
      assert.equal(meta['id'], id);
      assert.equal(meta['fingerprint'], pair.sha256);
      assert.equal(meta['has_private'], true);
      assert.deepEqual(meta['dns_names'], ['api.example', 'www.api.example']);
      assert.equal((meta['subject'] as Record<string, unknown>)['CommonName'], 'api.example');
      assert.equal(meta['is_ca'], false);
      const detailed = (await certs(b, 'GET', `?org_id=${ORG}&mode=detailed`)).json() as { certs: Record<string, unknown>[] };
      assert.equal(detailed.certs[0]?.['subject_cn'], 'api.example');
      assert.equal(((await certs(b, 'GET', `/${id},${ORG}${'0'.repeat(64)}`)).json() as unknown[])[1], null);

      // The private key is stored encrypted, in Tyk's form.
      const client = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
      const raw = await client.get(`cert-raw-${id}`).finally(() => client.disconnect());
      assert.match(String(raw), /-----BEGIN ENCRYPTED PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,/);
      assert.doesNotMatch(String(raw), /BEGIN PRIVATE KEY/);

      const duplicate = await certs(b, 'POST', `?org_id=${ORG}`, pair.pair);
      assert.equal(duplicate.status, 403);
      assert.deepEqual(duplicate.json(), { status: 'error', message: `Certificate with ${id} id already exists` });
      const expired = await certs(a, 'POST', `?org_id=${ORG}`, makeCert({ cn: 'old', notBeforeDays: -10, notAfterDays: -1 }).cert);
      assert.deepEqual(expired.json(), { status: 'error', message: 'certificate is expired' });
      const mismatched = await certs(a, 'POST', '', makeCert({ cn: 'x' }).cert + makeCert({ cn: 'y' }).key);
      assert.equal(mismatched.status, 403);
      assert.match((mismatched.json() as { message: string }).message, /private key does not match/);
      assert.deepEqual((await certs(a, 'POST', '', 'not a pem')).json(), { status: 'error', message: 'Failed to decode certificate. It should be PEM encoded.' });

      assert.deepEqual((await certs(b, 'DELETE', `/${id}`)).json(), { status: 'ok', message: 'removed' });
      const gone = await certs(a, 'GET', `/${id}`);
      assert.equal(gone.status, 404);
      assert.deepEqual(gone.json(), { status: 'error', message: 'Certificate with given SHA256 fingerprint not found' });
      assert.equal((await certs(a, 'GET', '', undefined)).status, 200);
      assert.equal((await request(a.url('/tyk/certs'), { method: 'GET' })).status, 403, 'the secret is needed');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await redis.stop();
    }
  });
});

describe('certificates uploaded while the gateway runs', () => {
  it('an allow-listed ID works as soon as it is uploaded; a custom-domain certificate after a reload', async () => {
    const dir = await tempDir();
    const server = await dir.write('server.pem', makeCert({ cn: 'default.test', dns: ['default.test'] }).pair);
    const late = makeCert({ cn: 'late.test', dns: ['late.test'] });
    const client = makeCert({ cn: 'late-client' });
    const gw = await startGatewayProcess({
      config: { secret: SECRET, enable_custom_domains: true, http_server_options: { use_ssl: true, ssl_certificates: [server] } },
      apis: {
        'dom.json': keylessApi('dom', '/dom/', 'http://127.0.0.1:9', {}, { org_id: ORG, domain: 'late.test', certificates: [ORG + late.sha256] }),
        'm.json': keylessApi('m', '/m/', 'http://127.0.0.1:9', {}, { org_id: ORG, use_mutual_tls_auth: true, client_certificates: [ORG + client.sha256] }),
      },
    });
    const upload = (pem: string) => httpsRequestTo(gw.port, `/tyk/certs?org_id=${ORG}`, { method: 'POST', headers: admin, body: pem });
    try {
      await gw.waitForLog((l) => l.msg.startsWith('certificates not found'));
      assert.equal((await handshake(gw.port, { servername: 'late.test' })).serverCn, 'default.test');
      assert.equal((await httpsRequestTo(gw.port, '/m/x', { cert: client.cert, key: client.key })).status, 403);

      assert.equal((await upload(client.cert)).status, 200);
      assert.equal((await httpsRequestTo(gw.port, '/m/x', { cert: client.cert, key: client.key })).status, 502, 'allowed now (the upstream is down)');

      assert.equal((await upload(late.pair)).status, 200);
      assert.equal((await httpsRequestTo(gw.port, '/tyk/reload?block=true', { headers: admin })).status, 200);
      assert.equal((await handshake(gw.port, { servername: 'late.test' })).serverCn, 'late.test');
    } finally {
      await gw.stop();
      await dir.remove();
    }
  });
});

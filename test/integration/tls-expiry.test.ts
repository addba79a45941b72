import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { coprocessConfig, pluginApi } from '../helpers/apis.js';
import { makeCert } from '../helpers/x509.js';
import { startGatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin } from '../helpers/grpc-plugin.js';
import { tempDir } from '../helpers/tmp.js';
import { httpsRequestTo } from '../helpers/tls.js';
import { keySession, SECRET } from '../helpers/control.js';
import { requireProgram } from '../helpers/programs.js';
import { startRedis } from '../helpers/redis.js';

interface EventPayload {
  message: { Type: string; Meta: Record<string, string | number> };
  handler_name: string;
  spec: { APIID: string };
}

describe('certificate expiry', () => {
  it('fires CertificateExpiringSoon and CertificateExpired to the API that uses the certificate, and shows both in /metrics', async () => {
    const plugin = await startGrpcPlugin({ Noop: (o) => o });
    const dir = await tempDir();
    const server = await dir.write('server.pem', makeCert({ cn: 'soon.test', dns: ['soon.test'], notAfterDays: 10 }).pair);
    const expired = makeCert({ cn: 'expired-client', notBeforeDays: -30, notAfterDays: -2 });
    const valid = makeCert({ cn: 'valid-client', notAfterDays: 400 });
    const handler = (name: string) => [{ handler_name: 'cp_dynamic_handler', handler_meta: { name } }];
    const gw = await startGatewayProcess({
      config: {
        ...coprocessConfig(plugin.address),
        http_server_options: { use_ssl: true, ssl_certificates: [server] },
        security: { certificate_expiry_monitor: { warning_threshold_days: 30 } },
      },
      apis: {
        'm.json': pluginApi('m', '/m/', 'http://127.0.0.1:9', { pre: [{ name: 'Noop' }] }, {
          use_mutual_tls_auth: true,
          client_certificates: [expired.cert, valid.cert],
          event_handlers: { events: { CertificateExpiringSoon: handler('OnSoon'), CertificateExpired: handler('OnExpired') } },
        }),
      },
    });
    try {
      const events = () => plugin.events.map((e) => JSON.parse(e) as EventPayload);
      for (let i = 0; i < 150 && events().length < 2; i++) await sleep(20);
      const byType = new Map(events().map((e) => [e.message.Type, e]));
      const soon = byType.get('CertificateExpiringSoon');
      assert.equal(soon?.handler_name, 'OnSoon');
      assert.equal(soon?.spec.APIID, 'm');
      assert.equal(soon?.message.Meta['CertName'], 'soon.test');
      assert.match(String(soon?.message.Meta['DaysRemaining']), /^(9|10)$/);
      const gone = byType.get('CertificateExpired');
      assert.equal(gone?.handler_name, 'OnExpired');
      assert.equal(gone?.message.Meta['CertName'], 'expired-client');
      assert.equal(gone?.message.Meta['CertID'], expired.sha256);
      assert.equal(events().filter((e) => e.message.Meta['CertName'] === 'valid-client').length, 0, 'a certificate far from expiry fires nothing');

      const metrics = (await httpsRequestTo(gw.port, '/metrics')).text();
      assert.match(metrics, /hookgate_certificate_expiry_seconds\{cert_id="[^"]*server.pem",usage="server"\} 8\d{5}/);
      assert.match(metrics, new RegExp(`hookgate_certificate_expiry_seconds\\{cert_id="embedded:${expired.sha256}",usage="client_allow_list"\\} -1\\d{5}`));
      assert.match(metrics, /hookgate_certificate_expiry_events_total\{event="CertificateExpired"\} 1/);
      // Log lines reach the captured output through a pipe, possibly after the event did.
      for (let i = 0; i < 250 && !gw.logs.some((l) => l.msg.startsWith('Certificate soon.test expires in')); i++) await sleep(20);
      assert.ok(gw.logs.some((l) => l.msg.startsWith('Certificate soon.test expires in')));
    } finally {
      await gw.stop();
      await plugin.stop();
      await dir.remove();
    }
  });

  it('watches the certificates keys are linked to on certificate-auth APIs (dynamic mTLS), read from storage', async (t) => {
    if (!requireProgram(t, 'redis-server', 'apt-get install redis-server')) return;
    const ORG = 'org1';
    const redis = await startRedis();
    const plugin = await startGrpcPlugin({ Noop: (o) => o });
    const dir = await tempDir();
    const server = await dir.write('server.pem', makeCert({ cn: 'far.test', dns: ['far.test'], notAfterDays: 400 }).pair);
    const linked = makeCert({ cn: 'linked-client', notAfterDays: 10 });
    const unlinked = makeCert({ cn: 'unlinked-client', notAfterDays: 10 });
    const handler = [{ handler_name: 'cp_dynamic_handler', handler_meta: { name: 'OnSoon' } }];
    const certAuthApi = (id: string) => pluginApi(id, `/${id}/`, 'http://127.0.0.1:9', { pre: [{ name: 'Noop' }] }, {
      org_id: ORG,
      use_keyless: false,
      auth_configs: { authToken: { use_certificate: true } },
      event_handlers: { events: { CertificateExpiringSoon: handler } },
    });
    const gw = await startGatewayProcess({
      config: {
        ...coprocessConfig(plugin.address),
        secret: SECRET,
        storage: { type: 'redis', host: '127.0.0.1', port: redis.port },
        http_server_options: { use_ssl: true, ssl_certificates: [server] },
        // Checked every second: the key is linked after the gateway started, and no reload is asked for.
        security: { certificate_expiry_monitor: { warning_threshold_days: 30, check_cooldown_seconds: 1 } },
      },
      apis: { 'ca1.json': certAuthApi('ca1'), 'ca2.json': certAuthApi('ca2') },
    });
    const admin = (method: string, path: string, body: string) => httpsRequestTo(gw.port, path, { method, headers: { 'x-tyk-authorization': SECRET }, body });
    try {
      for (const cert of [linked, unlinked]) assert.equal((await admin('POST', `/tyk/certs?org_id=${ORG}`, cert.cert)).status, 200);
      const key = await admin('POST', '/tyk/keys/create', JSON.stringify(keySession('ca1', ORG, { certificate: ORG + linked.sha256 })));
      assert.equal(key.status, 200, key.text());

      const soon = () => plugin.events.map((e) => JSON.parse(e) as EventPayload).filter((e) => e.message.Type === 'CertificateExpiringSoon');
      for (let i = 0; i < 500 && soon().length < 2; i++) await sleep(20);
      const events = soon();
      assert.deepEqual(events.map((e) => e.spec.APIID).sort(), ['ca1', 'ca2'], 'each certificate-auth API of the org is told once');
      for (const e of events) {
        assert.equal(e.message.Meta['CertName'], 'linked-client');
        assert.equal(e.message.Meta['CertID'], linked.sha256);
      }
      const metrics = (await httpsRequestTo(gw.port, '/metrics')).text();
      assert.match(metrics, new RegExp(`hookgate_certificate_expiry_seconds\\{cert_id="${ORG}${linked.sha256}",usage="certificate_auth"\\} 8\\d{5}`));
      assert.doesNotMatch(metrics, new RegExp(unlinked.sha256), 'a certificate no key is linked to is not reachable by certificate auth');
      const linkedLine = () => gw.logs.some((l) => l.msg.startsWith('Certificate linked-client expires in') && l['usage'] === 'certificate_auth');
      for (let i = 0; i < 250 && !linkedLine(); i++) await sleep(20);
      assert.ok(linkedLine());
    } finally {
      await gw.stop();
      await plugin.stop();
      await redis.stop();
      await dir.remove();
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { coprocessConfig, pluginApi } from '../helpers/apis.js';
import { makeCert } from '../helpers/x509.js';
import { startGatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin } from '../helpers/grpc-plugin.js';
import { tempDir } from '../helpers/tmp.js';
import { httpsRequestTo } from '../helpers/tls.js';

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
      assert.ok(gw.logs.some((l) => l.msg.startsWith('Certificate soon.test expires in')));
    } finally {
      await gw.stop();
      await plugin.stop();
      await dir.remove();
    }
  });
});

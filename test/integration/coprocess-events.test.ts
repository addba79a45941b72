import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { coprocessConfig, pluginApi } from '../helpers/apis.js';
import { startGatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin } from '../helpers/grpc-plugin.js';
import { request } from '../helpers/http.js';
import { startUpstream } from '../helpers/upstream.js';

interface EventPayload {
  message: { Type: string; Meta: Record<string, string> };
  handler_name: string;
  spec: { APIID: string; OrgID: string };
}

describe('Tyk events delivered to the plugin (DispatchEvent)', () => {
  it('RatelimitExceeded, QuotaExceeded and KeyExpired reach their cp_dynamic_handler, with the key and path', async () => {
    const plugin = await startGrpcPlugin({
      Auth: (o) => {
        const key = o.request?.headers['Authorization'] ?? '';
        if (key === 'rate-user') o.session = { rate: 1, per: 60 } as never;
        if (key === 'quota-user') o.session = { quota_max: 1, quota_renewal_rate: 60 } as never;
        if (key === 'expired-user') o.session = { expires: Math.floor(Date.now() / 1000) - 5 } as never;
        o.metadata = { token: key };
        return o;
      },
    });
    const up = await startUpstream();
    const handler = (name: string) => [{ handler_name: 'cp_dynamic_handler', handler_meta: { name } }];
    const gw = await startGatewayProcess({
      config: coprocessConfig(plugin.address),
      apis: {
        'e.json': pluginApi('ev', '/ev/', up.origin, { auth_check: { name: 'Auth' } }, {
          org_id: 'org-ev',
          event_handlers: { events: { RatelimitExceeded: handler('OnRate'), QuotaExceeded: handler('OnQuota'), KeyExpired: handler('OnExpired') } },
        }),
      },
    });
    try {
      for (let i = 0; i < 2; i++) await request(gw.url('/ev/rate'), { headers: { authorization: 'rate-user' } });
      for (let i = 0; i < 2; i++) await request(gw.url('/ev/quota'), { headers: { authorization: 'quota-user' } });
      assert.equal((await request(gw.url('/ev/expired'), { headers: { authorization: 'expired-user' } })).status, 401);
      const events = () => plugin.events.map((e) => JSON.parse(e) as EventPayload);
      for (let i = 0; i < 100 && events().length < 3; i++) await sleep(20);
      const byType = new Map(events().map((e) => [e.message.Type, e]));
      assert.equal(byType.get('RatelimitExceeded')?.handler_name, 'OnRate');
      assert.equal(byType.get('RatelimitExceeded')?.message.Meta['Key'], 'rate-user');
      assert.equal(byType.get('RatelimitExceeded')?.message.Meta['Path'], '/ev/rate');
      assert.equal(byType.get('QuotaExceeded')?.handler_name, 'OnQuota');
      assert.equal(byType.get('QuotaExceeded')?.message.Meta['Message'], 'Key Quota Limit Exceeded');
      assert.equal(byType.get('KeyExpired')?.handler_name, 'OnExpired');
      assert.equal(byType.get('KeyExpired')?.message.Meta['Message'], 'Attempted access from expired key.');
      assert.deepEqual(byType.get('KeyExpired')?.spec, { APIID: 'ev', OrgID: 'org-ev' });
    } finally {
      await gw.stop();
      await plugin.stop();
      await up.close();
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { coprocessConfig, keylessApi } from '../helpers/apis.js';
import { control, keySession, SECRET } from '../helpers/control.js';
import { startGatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin } from '../helpers/grpc-plugin.js';
import { request } from '../helpers/http.js';
import { hasProgram } from '../helpers/programs.js';
import { startRedis } from '../helpers/redis.js';
import { startUpstream } from '../helpers/upstream.js';

const ORG = 'org9';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const basicApi = (id: string, target: string, extra: Record<string, unknown> = {}) => ({
  ...keylessApi(id, `/${id}/`, target),
  org_id: ORG,
  use_keyless: false,
  use_basic_auth: true,
  ...extra,
});

describe('basic auth with gateway settings', () => {
  it('hash_keys with a hash_key_function and basic_auth_hash_key_function sha256: the key is not echoed, and AuthFailure names the user', async () => {
    const plugin = await startGrpcPlugin();
    const up = await startUpstream();
    const gw = await startGatewayProcess({
      config: {
        secret: SECRET,
        hash_keys: true,
        hash_key_function: 'murmur64',
        basic_auth_hash_key_function: 'sha256',
        ...coprocessConfig(plugin.address),
      },
      apis: {
        'h.json': basicApi('h', up.origin, {
          custom_middleware: { driver: 'grpc', pre: [{ name: 'Pre' }] },
          event_handlers: { events: { AuthFailure: [{ handler_name: 'cp_dynamic_handler', handler_meta: { name: 'OnAuthFailure' } }] } },
        }),
      },
    });
    try {
      const created = await control(gw.url(''), 'POST', '/tyk/keys/grace', keySession('h', ORG, { basic_auth_data: { password: 'grace-pw' } }));
      assert.equal(created.status, 200, created.text());
      const body = created.json() as { key: string; key_hash: string; action: string };
      assert.equal(body.key, '', 'Tyk does not echo a basic-auth key when keys are hashed');
      assert.match(body.key_hash, /^[0-9a-f]{16}$/, 'murmur64 of the generated token');
      assert.equal((await request(gw.url('/h/x'), { headers: { authorization: basic('grace', 'grace-pw') } })).status, 200);
      const shown = await control(gw.url(''), 'GET', `/tyk/keys/${body.key_hash}?hashed=1`);
      assert.deepEqual((shown.json() as { basic_auth_data: unknown }).basic_auth_data, { password: '', hash_type: 'sha256' });

      const refused = await request(gw.url('/h/denied'), { headers: { authorization: basic('grace', 'not-grace') } });
      assert.equal(refused.status, 401);
      const event = async () => {
        for (let i = 0; i < 100; i++) {
          const found = plugin.events.find((e) => e.includes('"Path":"/h/denied"'));
          if (found !== undefined) return JSON.parse(found) as { message: { Type: string; Meta: Record<string, string> } };
          await sleep(20);
        }
        return assert.fail('no AuthFailure event');
      };
      const failure = await event();
      assert.equal(failure.message.Type, 'AuthFailure');
      assert.equal(failure.message.Meta['Key'], 'grace', 'the user, not the credential Tyk puts there');
      assert.doesNotMatch(JSON.stringify(gw.logs), /not-grace|grace-pw|Z3JhY2U6/, 'neither password nor credential is logged');
    } finally {
      await gw.stop();
      await plugin.stop();
      await up.close();
    }
  });

  it('after hash_key_function is set, a user created before it (org_id + user) still logs in', async (t) => {
    if (!hasProgram('redis-server') && process.env['CI'] !== 'true') return t.skip('redis-server is not installed');
    const redis = await startRedis();
    const up = await startUpstream();
    const storage = { type: 'redis', host: '127.0.0.1', port: redis.port };
    try {
      const before = await startGatewayProcess({ config: { secret: SECRET, storage }, apis: { 'l.json': basicApi('l', up.origin) } });
      try {
        const created = await control(before.url(''), 'POST', '/tyk/keys/legacy-user', keySession('l', ORG, { basic_auth_data: { password: 'old-pw' } }));
        assert.equal((created.json() as { key: string }).key, `${ORG}legacy-user`);
      } finally {
        await before.stop();
      }
      const after = await startGatewayProcess({ config: { secret: SECRET, storage, hash_key_function: 'murmur64' }, apis: { 'l.json': basicApi('l', up.origin) } });
      try {
        assert.equal((await request(after.url('/l/x'), { headers: { authorization: basic('legacy-user', 'old-pw') } })).status, 200);
        assert.equal((await request(after.url('/l/x'), { headers: { authorization: basic('legacy-user', 'wrong') } })).status, 401);
      } finally {
        await after.stop();
      }
    } finally {
      await up.close();
      await redis.stop();
    }
  });
});

import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { coprocessConfig, pluginApi } from '../helpers/apis.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin, type GrpcPlugin } from '../helpers/grpc-plugin.js';
import { request, tykError } from '../helpers/http.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const GOOD = 'good-token-123';

describe('return_overrides, as Tyk applies them (protocol.md 2.6)', () => {
  let plugin: GrpcPlugin;
  let up: TestUpstream;
  let gw: GatewayProcess;
  before(async () => {
    plugin = await startGrpcPlugin();
    up = await startUpstream();
    gw = await startGatewayProcess({
      config: coprocessConfig(plugin.address),
      apis: { 'o.json': pluginApi('o', '/o/', up.origin, { pre: [{ name: 'Override' }] }) },
    });
  });
  after(async () => {
    await gw.stop();
    await plugin.stop();
    await up.close();
  });

  // Tyk's TestResponseOverride table: the hook sets X-Foo: Bar and either response_error or response_body.
  const rows: [code: number, overrideError: boolean, field: 'error' | 'body', status: number, body: string][] = [
    [200, false, 'error', 200, '{"foo": "bar"}'],
    [200, false, 'body', 200, 'foobar'],
    [400, false, 'error', 400, tykError('{"foo": "bar"}')],
    [400, false, 'body', 400, tykError('foobar')],
    [401, false, 'error', 401, tykError('{"foo": "bar"}')],
    [400, true, 'error', 400, '{"foo": "bar"}'],
    [400, true, 'body', 400, 'foobar'],
    [401, true, 'error', 401, '{"foo": "bar"}'],
  ];
  for (const [code, overrideError, field, status, body] of rows) {
    it(`code ${code}, override_error ${overrideError}, ${field} set → ${status} ${body.startsWith('{\n') ? 'in the error template' : 'raw'}`, async () => {
      plugin.handle('Override', (o) => {
        const ro = o.request?.return_overrides;
        if (ro === null || ro === undefined) return o;
        ro.response_code = code;
        ro.override_error = overrideError;
        ro.headers = { 'X-Foo': 'Bar' };
        if (field === 'error') ro.response_error = '{"foo": "bar"}';
        else ro.response_body = 'foobar';
        return o;
      });
      const before = up.received.length;
      const res = await request(gw.url('/o/x'));
      assert.equal(res.status, status);
      assert.equal(res.text(), body);
      assert.equal(res.headers['x-foo'], 'Bar');
      assert.equal(up.received.length, before, 'the upstream is not called');
    });
  }

  it('response_error wins over response_body, and an empty error message is "Key not authorised"', async () => {
    plugin.handle('Override', (o) => {
      const ro = o.request?.return_overrides;
      if (ro) Object.assign(ro, { response_code: 403, response_error: 'error wins', response_body: 'body loses' });
      return o;
    });
    assert.equal((await request(gw.url('/o/x'))).text(), tykError('error wins'));
    plugin.handle('Override', (o) => {
      const ro = o.request?.return_overrides;
      if (ro) Object.assign(ro, { response_code: 403 });
      return o;
    });
    assert.equal((await request(gw.url('/o/x'))).text(), tykError('Key not authorised'));
  });

  it('-1 and 0 change nothing; a code outside HTTP is a 500', async () => {
    for (const code of [-1, 0]) {
      plugin.handle('Override', (o) => {
        if (o.request?.return_overrides) o.request.return_overrides.response_code = code;
        return o;
      });
      assert.equal((await request(gw.url('/o/x'))).status, 200, `code ${code}`);
    }
    plugin.handle('Override', (o) => {
      if (o.request?.return_overrides) o.request.return_overrides.response_code = 99999;
      return o;
    });
    assert.equal((await request(gw.url('/o/x'))).status, 500);
  });
});

describe('auth_check (custom plugin auth)', () => {
  let plugin: GrpcPlugin;
  let up: TestUpstream;
  let gw: GatewayProcess;
  before(async () => {
    plugin = await startGrpcPlugin({
      MyAuth: (o) => {
        const key = o.request?.headers['Authorization'];
        if (key === GOOD) {
          o.session = { rate: 1000, per: 1, quota_max: 5, org_id: 'plugin-org', metadata: { plan: 'gold' } } as never;
          o.metadata = { token: GOOD };
        } else if (key === 'session-without-token') {
          o.session = { rate: 1 } as never;
        } else if (key === 'token-in-session-metadata') {
          o.session = { metadata: { token: 'from-session' } } as never;
        } else if (key === 'throw') {
          throw Object.assign(new Error('plugin exploded'), { code: grpc.status.INTERNAL });
        } else if (key === 'deny-401') {
          if (o.request?.return_overrides) Object.assign(o.request.return_overrides, { response_code: 401, response_error: 'custom denial' });
        }
        return o;
      },
    });
    up = await startUpstream();
    gw = await startGatewayProcess({
      config: coprocessConfig(plugin.address),
      apis: {
        'a.json': pluginApi('auth-api', '/auth/', up.origin, { auth_check: { name: 'MyAuth' }, post_key_auth: [{ name: 'AfterAuth' }], post: [{ name: 'Post' }] }, {
          org_id: 'api-org',
          event_handlers: { events: { AuthFailure: [{ handler_name: 'cp_dynamic_handler', handler_meta: { name: 'OnAuthFailure' } }] } },
        }),
      },
    });
  });
  after(async () => {
    await gw.stop();
    await plugin.stop();
    await up.close();
  });

  const objectsFor = (marker: string) => plugin.received.filter((o) => o.request?.url.includes(marker));

  it('a good key passes; later hooks get the session with the gateway\'s org_id and key_id, and its metadata', async () => {
    const res = await request(gw.url('/auth/x?m=good'), { headers: { authorization: GOOD } });
    assert.equal(res.status, 200);
    const [auth, after, post] = objectsFor('m=good');
    assert.equal(auth?.hook_type, 'CustomKeyCheck');
    assert.equal(auth?.session, null, 'the auth hook gets no session');
    assert.deepEqual(auth?.metadata, {});
    assert.equal(after?.hook_type, 'PostKeyAuth');
    assert.equal(after?.session?.rate, 1000);
    assert.equal(after?.session?.quota_max, 5);
    assert.equal(after?.session?.org_id, 'api-org');
    assert.equal(after?.session?.key_id, GOOD);
    assert.deepEqual(after?.session?.metadata, { plan: 'gold', token: GOOD });
    assert.deepEqual(after?.metadata, { plan: 'gold', token: GOOD });
    assert.equal(post?.session?.key_id, GOOD);
  });

  it('takes the token from the session\'s metadata too', async () => {
    const res = await request(gw.url('/auth/x?m=sessmeta'), { headers: { authorization: 'token-in-session-metadata' } });
    assert.equal(res.status, 200);
    assert.equal(objectsFor('m=sessmeta')[1]?.session?.key_id, 'from-session');
  });

  it('refuses the Object returned unchanged (no session) with 403 Forbidden', async () => {
    const before = up.received.length;
    const res = await request(gw.url('/auth/x'), { headers: { authorization: 'wrong' } });
    assert.equal(res.status, 403);
    assert.equal(res.text(), tykError('Forbidden'));
    const none = await request(gw.url('/auth/x'));
    assert.equal(none.status, 403);
    assert.equal(up.received.length, before);
  });

  it('refuses a session without a token with 403 Forbidden: no anonymous identity', async () => {
    const res = await request(gw.url('/auth/x'), { headers: { authorization: 'session-without-token' } });
    assert.equal(res.status, 403);
    assert.equal(res.text(), tykError('Forbidden'));
  });

  it('refuses with 403 "Key not authorised" when the auth call fails', async () => {
    const res = await request(gw.url('/auth/x'), { headers: { authorization: 'throw' } });
    assert.equal(res.status, 403);
    assert.equal(res.text(), tykError('Key not authorised'));
  });

  it('lets the auth hook deny with its own status and message', async () => {
    const res = await request(gw.url('/auth/x'), { headers: { authorization: 'deny-401' } });
    assert.equal(res.status, 401);
    assert.equal(res.text(), tykError('custom denial'));
  });

  it('delivers AuthFailure to the cp_dynamic_handler with Tyk\'s payload', async () => {
    await request(gw.url('/auth/events?x=1'), { headers: { authorization: 'wrong-for-event' } });
    const mine = () => plugin.events.find((e) => e.includes('"Path":"/auth/events"'));
    for (let i = 0; i < 100 && mine() === undefined; i++) await sleep(20);
    const event = JSON.parse(mine() ?? '{}') as {
      message: { Type: string; Meta: Record<string, string>; TimeStamp: string };
      handler_name: string;
      spec: Record<string, string>;
    };
    assert.deepEqual(Object.keys(event).sort(), ['handler_name', 'message', 'spec']);
    assert.equal(event.handler_name, 'OnAuthFailure');
    assert.deepEqual(event.spec, { APIID: 'auth-api', OrgID: 'api-org' });
    assert.equal(event.message.Type, 'AuthFailure');
    assert.equal(event.message.Meta['Message'], 'Auth Failure');
    assert.equal(event.message.Meta['Key'], 'wrong-for-event');
    assert.equal(event.message.Meta['Path'], '/auth/events');
    assert.equal(event.message.Meta['Origin'], '127.0.0.1');
    const raw = Buffer.from(event.message.Meta['OriginatingRequest'] ?? '', 'base64').toString();
    assert.match(raw, /^GET \/auth\/events\?x=1 HTTP\/1\.1\r\n/);
    assert.match(event.message.TimeStamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$/);
  });
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { allow, definePlugin, deny, respond, type HookResponse } from '../../sdk/index.js';
import { hookRequest, inProcess, PluginCallError } from '../../sdk/testing/index.js';
import { captureLogger } from '../helpers/sdk.js';

const callError = (code: string, pattern?: RegExp) => (err: unknown) =>
  err instanceof PluginCallError && err.code === code && (pattern === undefined || pattern.test(err.message));

describe('hookRequest: the Object a gateway sends (Tyk BuildObject)', () => {
  it('canonicalises header names, keeps first values, adds Host, and fills url, params and spec', () => {
    const object = hookRequest()
      .post('/api/x?b=2&a=1&a=3')
      .header('x-api-key', 'k1')
      .header('X-API-KEY', 'k2')
      .body('hi')
      .api({ id: 'a1', orgId: 'o1', bundle: 'bundle.zip' })
      .configData({ z: 1, a: '<' })
      .build('Hook', 'auth_check');
    assert.deepEqual(object.request?.headers, { 'X-Api-Key': 'k1', Host: 'localhost:8080' });
    assert.deepEqual(object.request?.params, { b: '2', a: '1' });
    assert.equal(object.request?.url, '/api/x?b=2&a=1&a=3');
    assert.equal(object.request?.method, 'POST');
    assert.equal(object.request?.body, 'hi');
    assert.equal(object.request?.return_overrides?.response_code, -1);
    assert.equal(object.hook_type, 'CustomKeyCheck');
    assert.equal(object.session, null, 'auth_check and pre hooks get no session');
    assert.deepEqual(object.spec, { OrgID: 'o1', APIID: 'a1', bundle_hash: 'c343271e0935000c0ea41f8d9822015c', config_data: '{"a":"\\u003c","z":1}' });
  });

  it('sends a session to post hooks, an empty one to response hooks, and the upstream response', () => {
    const post = hookRequest().session({ rate: 5, metadata: { token: 't' } }).build('P', 'post');
    assert.equal(post.session?.rate, 5);
    assert.deepEqual(post.metadata, { token: 't' });
    const res = hookRequest().rawBodyOnly().upstreamResponse({ status: 201, headers: { 'set-cookie': ['a', 'b'] }, body: 'up' }).build('R', 'response');
    assert.equal(res.session?.rate, 0);
    assert.equal(res.response?.status_code, 201);
    assert.equal(res.response?.body, '', 'raw_body_only leaves the text copy empty');
    assert.deepEqual(res.response?.multivalue_headers, [{ key: 'Set-Cookie', values: ['a', 'b'] }]);
  });
});

describe('calling hooks in process', () => {
  it('deny() stops the request with the status and Tyk\'s error body, plus headers', async () => {
    const plugin = definePlugin().authCheck('A', () => deny(401, 'Missing key', { 'WWW-Authenticate': 'ApiKey' }));
    const result = await inProcess(plugin).call('A');
    assert.deepEqual([result.allowed, result.denied, result.status, result.error], [false, true, 401, 'Missing key']);
    assert.equal(result.body, '{\n    "error": "Missing key"\n}');
    assert.deepEqual(result.responseHeaders, { 'WWW-Authenticate': 'ApiKey' });
    assert.equal(result.reply.request?.return_overrides?.override_error, false);
  });

  it('respond() answers directly, verbatim, also with an error status (override_error)', async () => {
    const plugin = definePlugin().pre('Health', () => respond(200, { status: 'ok' })).pre('Teapot', () => respond(418, 'short and stout'));
    const client = inProcess(plugin);
    const health = await client.call('Health');
    assert.deepEqual([health.responded, health.status, health.body], [true, 200, '{"status":"ok"}']);
    assert.deepEqual(health.responseHeaders, { 'Content-Type': 'application/json' });
    const teapot = await client.call('Teapot');
    assert.deepEqual([teapot.responded, teapot.denied, teapot.status, teapot.body], [true, false, 418, 'short and stout']);
    assert.equal(teapot.reply.request?.return_overrides?.override_error, true);
  });

  it('allow() grants a token and session fields; returned metadata is merged (Python MergeFrom)', async () => {
    const plugin = definePlugin()
      .authCheck('Allow', () => allow('user-1', { rate: 10, per: 60, metadata: { plan: 'gold' } }))
      .authCheck('Merge', async (_request, session) => {
        await sleep(1);
        session.setQuota(100, 3600);
        return { session, metadata: { token: 'user-2', rate_limit_pattern: '$tyk_meta.plan' } };
      });
    const client = inProcess(plugin);
    const allowed = await client.call('Allow');
    assert.equal(allowed.allowed, true);
    assert.deepEqual(allowed.metadata, { plan: 'gold', token: 'user-1' });
    assert.deepEqual([allowed.session?.rate, allowed.session?.per], [10, 60]);
    const merged = await client.call('Merge');
    assert.equal(merged.token, 'user-2');
    assert.equal(merged.session?.quota_max, 100);
    assert.equal(merged.session?.metadata['rate_limit_pattern'], '$tyk_meta.plan');
  });

  it('post hooks see the request session; their edits come back but only auth_check grants', async () => {
    const plugin = definePlugin().post('Tag', (request, session, metadata) => {
      request.setHeader('X-Plan', metadata['plan'] ?? 'none').addParam('rate', String(session.rate));
    });
    const result = await inProcess(plugin).call('Tag', hookRequest().session({ rate: 7, metadata: { plan: 'gold', token: 't' } }));
    assert.equal(result.allowed, true);
    assert.equal(result.request.header('x-plan'), 'gold');
    assert.deepEqual(result.request.params, { rate: '7' });
  });

  it('response hooks change status, headers and body; other headers keep all their values', async () => {
    const plugin = definePlugin().response('Rewrite', (request, response: HookResponse) => {
      response.status = 203;
      response.setHeader('Cache-Control', 'no-store').setJson({ ...response.json<object>(), via: request.method });
    });
    const result = await inProcess(plugin).call(
      'Rewrite',
      hookRequest().upstreamResponse({ status: 200, headers: { 'Set-Cookie': ['a=1', 'b=2'], 'Content-Type': 'application/json' }, body: '{"x":1}' }),
    );
    assert.equal(result.response?.status, 203);
    assert.deepEqual(result.response?.json(), { x: 1, via: 'GET' });
    assert.equal(result.response?.header('cache-control'), 'no-store');
    assert.deepEqual(result.response?.multivalueHeaders.find((h) => h.key === 'Set-Cookie')?.values, ['a=1', 'b=2']);
  });

  it('types config_data through the plugin parser, parsing it once per API config', async () => {
    let parses = 0;
    const plugin = definePlugin({
      config: (data) => {
        parses++;
        const limit = (data as { limit?: unknown }).limit;
        if (typeof limit !== 'number') throw new Error('limit must be a number');
        return { limit };
      },
    }).pre('Limit', (request, _session, _metadata, spec) => {
      request.setHeader('X-Limit', String(spec.config.limit));
    });
    const client = inProcess(plugin);
    for (let i = 0; i < 3; i++) assert.equal((await client.call('Limit', hookRequest().configData({ limit: 5 }))).request.header('X-Limit'), '5');
    assert.equal(parses, 1);
    await assert.rejects(client.call('Limit', hookRequest().api({ id: 'bad-api' }).configData({ limit: 'x' })), callError('HG_ERR_SDK_CONFIG_INVALID', /API "bad-api" was refused.*limit must be a number/));
  });
});

describe('hook failures in process', () => {
  it('an unknown hook name names the hooks the plugin has', async () => {
    const client = inProcess(definePlugin({ name: 'p' }).pre('A', () => {}).authCheck('B', () => {}));
    await assert.rejects(client.call('Nope'), (err: unknown) => {
      assert.ok(err instanceof PluginCallError);
      assert.equal(err.code, 'HG_ERR_SDK_HOOK_UNKNOWN');
      assert.equal(err.grpcStatus, 12);
      assert.equal(err.message, 'hook "Nope" is not defined by plugin "p"; it defines: A (pre), B (auth_check)');
      return true;
    });
  });

  it('a hook called as another type is refused, naming both', async () => {
    const client = inProcess(definePlugin().pre('A', () => {}));
    await assert.rejects(client.call('A', hookRequest(), { kind: 'auth_check' }), callError('HG_ERR_SDK_HOOK_TYPE_MISMATCH', /defined as pre but was called as auth_check/));
  });

  it('a throwing handler fails the call (the gateway fails closed) and is logged with hook name and stack', async () => {
    const { logger, records } = captureLogger();
    const plugin = definePlugin().authCheck('Boom', () => {
      throw new TypeError('no such user');
    });
    await assert.rejects(inProcess(plugin, { logger }).call('Boom'), (err: unknown) => {
      assert.ok(err instanceof PluginCallError);
      assert.deepEqual([err.code, err.grpcStatus, err.gatewayStatus, err.gatewayError], ['HG_ERR_SDK_HOOK_FAILED', 2, 403, 'Key not authorised']);
      assert.equal(err.message, 'hook "Boom" threw: TypeError: no such user');
      assert.ok(err.cause instanceof TypeError);
      return true;
    });
    const line = records.find((r) => r.msg.includes('threw'));
    assert.equal(line?.['hook'], 'Boom');
    assert.match(String((line?.['err'] as { stack?: string } | undefined)?.stack), /TypeError: no such user\n\s+at /);
  });

  it('a rejected promise is a failure like a throw', async () => {
    const plugin = definePlugin().pre('Rejects', () => Promise.reject(new Error('later')));
    await assert.rejects(inProcess(plugin).call('Rejects'), callError('HG_ERR_SDK_HOOK_FAILED', /threw: Error: later/));
  });

  it('a handler past the deadline is abandoned and sees its signal aborted', async () => {
    let signal: AbortSignal | undefined;
    const plugin = definePlugin().pre('Hang', (_request, _session, _metadata, _spec, context) => {
      signal = context.signal;
      return new Promise(() => {});
    });
    const started = Date.now();
    await assert.rejects(inProcess(plugin).call('Hang', hookRequest(), { timeoutMs: 100 }), callError('HG_ERR_SDK_DEADLINE_EXCEEDED', /"Hang" did not finish before the call's deadline/));
    assert.ok(Date.now() - started < 1000);
    assert.equal(signal?.aborted, true);
  });

  for (const [what, hook, pattern] of [
    ['a number', () => 42, /returned 42 \(number\); expected nothing, an outcome/],
    ['an unknown key', () => ({ sesion: {} }), /returned an object with "sesion"/],
    ['a string rate', (_r: unknown, s: { rate: unknown }) => void (s.rate = 'fast'), /session.rate must be a finite number, got "fast" \(string\)/],
    ['a number in metadata', (_r: unknown, _s: unknown, m: Record<string, unknown>) => void (m['token'] = 5), /session.metadata must be an object of string values/],
    ['a string raw_body', (r: { object: Record<string, unknown> }) => void (r.object['raw_body'] = 'text'), /request.raw_body must be bytes/],
    ['allow() from a pre hook', () => allow('x'), /returned allow\(\), which only an auth_check hook can \(this is a pre hook\)/],
    ['a status code out of range', (r: { object: { return_overrides: Record<string, unknown> } }) => void (r.object.return_overrides['response_code'] = 2 ** 40), /response_code must be a 32-bit whole number/],
  ] as const) {
    it(`a reply with ${what} is refused with HG_ERR_SDK_REPLY_INVALID naming the field`, async () => {
      const plugin = definePlugin().pre('Garbage', hook as never);
      await assert.rejects(inProcess(plugin).call('Garbage'), callError('HG_ERR_SDK_REPLY_INVALID', pattern));
    });
  }
});

describe('events in process', () => {
  it('reach the handler named in the payload, parsed', async () => {
    const seen: unknown[] = [];
    const plugin = definePlugin().event('OnFail', (event) => void seen.push([event.type, event.meta['Path'], event.spec.apiId, event.handlerName]));
    await inProcess(plugin).event('OnFail', { type: 'AuthFailure', meta: { Path: '/x' }, apiId: 'a1' });
    assert.deepEqual(seen, [['AuthFailure', '/x', 'a1', 'OnFail']]);
    await assert.rejects(inProcess(plugin).event('Other'), callError('HG_ERR_SDK_EVENT_UNKNOWN', /"Other" is not defined.*it defines: OnFail/));
  });
});

describe('the in-process path uses the wire encoding', () => {
  it('bytes survive both ways (raw_body is bytes, not text)', async () => {
    const bytes = Buffer.from([0, 1, 254, 255]);
    const plugin = definePlugin().pre('Hash', (request) => {
      request.setHeader('X-Sha', createHash('sha256').update(request.bytes()).digest('hex')).setBody(Buffer.concat([request.bytes(), bytes]));
    });
    const result = await inProcess(plugin).call('Hash', hookRequest().body(bytes));
    assert.equal(result.request.header('X-Sha'), createHash('sha256').update(bytes).digest('hex'));
    assert.deepEqual([...result.request.body], [0, 1, 254, 255, 0, 1, 254, 255]);
    assert.equal(result.request.bodyChanged, true);
  });
});

describe('id_extractor_deadline', () => {
  it('a deadline in milliseconds (Tyk\'s NodeJS sample mistake) is warned about, once per hook', async () => {
    const { logger, records } = captureLogger();
    const plugin = definePlugin({ name: 'ms' }).authCheck('Ms', (_request, session) => {
      session.id_extractor_deadline = Date.now() + 60_000;
      return allow('t');
    });
    const client = inProcess(plugin, { logger });
    await client.call('Ms');
    await client.call('Ms');
    assert.equal(records.filter((r) => /looks like milliseconds/.test(r.msg)).length, 1);
  });
});

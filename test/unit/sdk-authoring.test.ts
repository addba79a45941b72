import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allow, definePlugin, deny, HookRequest, HookResponse, isSdkError, respond, Session } from '../../sdk/index.js';
import { goJsonMarshal } from '../../sdk/testing/index.js';

function requestObject(overrides: Partial<HookRequest['object']> = {}): HookRequest['object'] {
  return {
    headers: { Authorization: 'k', 'Content-Type': 'application/json', Host: 'gw:8080' }, set_headers: {}, delete_headers: [], body: '',
    url: '/api/users?id=1', params: { id: '1' }, add_params: {}, extended_params: {}, delete_params: [],
    return_overrides: null, method: 'GET', request_uri: '/api/users?id=1', scheme: 'http', raw_body: Buffer.from('{"a":1}'), ...overrides,
  };
}

describe('definePlugin', () => {
  it('takes hooks by name or by a named function, and lists them with their kinds', () => {
    function MyAuthMiddleware() {}
    const plugin = definePlugin({ name: 'p' }).authCheck(MyAuthMiddleware).pre('AddHeader', () => {}).response('Res', () => {});
    assert.deepEqual(plugin.hooks, [
      { name: 'MyAuthMiddleware', kind: 'auth_check' },
      { name: 'AddHeader', kind: 'pre' },
      { name: 'Res', kind: 'response' },
    ]);
    assert.equal(plugin.describeHooks(), 'MyAuthMiddleware (auth_check), AddHeader (pre), Res (response)');
  });

  it('refuses a duplicate name, an empty name and a handler that is not a function', () => {
    const plugin = definePlugin().pre('A', () => {});
    assert.throws(() => plugin.post('A', () => {}), (err) => isSdkError(err, 'HG_ERR_SDK_DEFINITION_INVALID') && /already defined \(as pre\)/.test(err.message));
    assert.throws(() => plugin.pre('', () => {}), /needs a name/);
    assert.throws(() => plugin.pre(() => {}), /needs a name/);
    assert.throws(() => plugin.pre('B', 'nope' as never), /must be a function, got string/);
    assert.throws(() => plugin.event('E', () => {}).event('E', () => {}), /event handler "E" is already defined/);
  });

  it('names itself after its module file when no name is given', () => {
    assert.equal(definePlugin({ module: 'file:///srv/plugins/auth-plugin.js' }).name, 'auth-plugin');
    assert.equal(definePlugin().name, 'plugin');
  });
});

describe('HookRequest', () => {
  it('finds headers case-insensitively and sees its own changes', () => {
    const request = new HookRequest(requestObject());
    assert.equal(request.getHeader('authorization'), 'k');
    request.setHeader('x-user', 'u1').deleteHeader('AUTHORIZATION');
    assert.equal(request.getHeader('X-User'), 'u1');
    assert.equal(request.getHeader('Authorization'), undefined);
    assert.deepEqual(request.object.delete_headers, ['AUTHORIZATION']);
    // Setting a deleted header again cancels the deletion; deleting a set one cancels the set.
    request.setHeader('Authorization', 'new');
    assert.deepEqual(request.object.delete_headers, []);
    request.deleteHeader('x-USER');
    assert.deepEqual(request.object.set_headers, { Authorization: 'new' });
    assert.equal(request.headers['Authorization'], 'k', 'the read-only view is never edited');
  });

  it('changes params through add_params/delete_params, as the gateway applies them', () => {
    const request = new HookRequest(requestObject());
    assert.equal(request.getParam('id'), '1');
    request.addParam('page', '2').deleteParam('id');
    assert.equal(request.getParam('id'), undefined);
    assert.equal(request.getParam('page'), '2');
    assert.deepEqual(request.object.add_params, { page: '2' });
    assert.deepEqual(request.object.delete_params, ['id']);
    request.addParam('id', '3');
    assert.deepEqual(request.object.delete_params, []);
    assert.deepEqual(request.params, { id: '1' });
  });

  it('reads the body as bytes, text or JSON, and replaces raw_body (which the gateway applies) and body together', () => {
    const request = new HookRequest(requestObject());
    assert.deepEqual(request.json(), { a: 1 });
    assert.equal(request.text(), '{"a":1}');
    request.setJson({ b: 2 });
    assert.equal(request.object.raw_body.toString(), '{"b":2}');
    assert.equal(request.object.body, '{"b":2}');
    request.setBody(Buffer.from([0xff, 0x00]));
    assert.deepEqual([...request.bytes()], [0xff, 0x00]);
    assert.equal(request.object.body, '', 'no text copy of bytes that are not UTF-8');
    assert.throws(() => new HookRequest(requestObject({ raw_body: Buffer.from('not json') })).json(), /request body is not valid JSON.*"not json"/);
    assert.throws(() => request.setBody(42 as never), /must be a string or a Uint8Array/);
  });

  it('falls back to the text body for gateways that send no raw_body', () => {
    assert.equal(new HookRequest(requestObject({ raw_body: Buffer.alloc(0), body: 'old' })).text(), 'old');
  });

  it('exposes method, url, path, scheme and request URI, and checks what is set', () => {
    const request = new HookRequest(requestObject());
    assert.equal(request.path, '/api/users');
    request.method = 'POST';
    request.url = '/api/v2/users';
    assert.equal(request.object.method, 'POST');
    assert.equal(request.object.url, '/api/v2/users');
    assert.equal(request.requestUri, '/api/users?id=1');
    assert.equal(request.scheme, 'http');
    assert.throws(() => (request.url = ''), /request.url must not be empty/);
    assert.throws(() => request.setHeader('X', 5 as never), /must be a string, got number/);
  });
});

describe('Session', () => {
  it('sets rate, quota, expiry and the ID-extractor deadline in the units the gateway reads', () => {
    const now = Math.floor(Date.now() / 1000);
    const session = new Session().setRateLimit(1000, 1).setQuota(500, 3600).expireIn(60).cacheFor(30);
    assert.deepEqual([session.rate, session.per, session.quota_max, session.quota_remaining, session.quota_renewal_rate], [1000, 1, 500, 500, 3600]);
    assert.ok(session.expires >= now + 60 && session.expires <= now + 61);
    assert.ok(session.id_extractor_deadline >= now + 30 && session.id_extractor_deadline <= now + 31, 'seconds, not milliseconds');
    session.expireAt(new Date('2030-01-01T00:00:00Z'));
    assert.equal(session.expires, 1893456000);
    assert.throws(() => session.setRateLimit(Number.NaN, 1), /must be a finite number/);
  });

  it('keeps rate_limit_pattern in the metadata', () => {
    const session = new Session();
    session.rateLimitPattern = '$tyk_meta.org';
    assert.equal(session.metadata.rate_limit_pattern, '$tyk_meta.org');
    session.rateLimitPattern = undefined;
    assert.equal('rate_limit_pattern' in session.metadata, false);
  });

  it('assigns fields, merges metadata, and names the closest field for a typo', () => {
    const session = new Session().assign({ rate: 5, metadata: { plan: 'gold' } }).assign({ metadata: { token: 't' } });
    assert.deepEqual(session.metadata, { plan: 'gold', token: 't' });
    assert.throws(() => session.assign({ rte: 5 } as never), /unknown session field "rte"; did you mean "rate"\?/);
  });

  it('is empty until a field changes, and encodes with proto names', () => {
    const session = new Session();
    assert.equal(session.isEmpty(), true);
    session.grantAccess('api1', { versions: ['Default'] });
    assert.equal(session.isEmpty(), false);
    const proto = session.toProto();
    assert.deepEqual(proto.access_rights, { api1: { api_id: 'api1', api_name: '', versions: ['Default'], allowed_urls: [] } });
    assert.equal(proto.rate, 0);
  });
});

describe('HookResponse', () => {
  const responseObject = () => ({
    status_code: 200,
    raw_body: Buffer.from('hello'),
    body: 'hello',
    headers: { 'Set-Cookie': 'a=1', Server: 'up' },
    multivalue_headers: [{ key: 'Set-Cookie', values: ['a=1', 'b=2'] }, { key: 'Server', values: ['up'] }],
  });

  it('keeps headers and multivalue_headers in step', () => {
    const response = new HookResponse(responseObject());
    assert.deepEqual(response.getHeaderValues('set-cookie'), ['a=1', 'b=2']);
    response.addHeader('set-cookie', 'c=3').setHeader('server', 'hookgate').deleteHeader('X-None').setHeader('X-New', 'n');
    assert.deepEqual(response.getHeaderValues('Set-Cookie'), ['a=1', 'b=2', 'c=3']);
    assert.equal(response.object.headers['Set-Cookie'], 'a=1');
    assert.deepEqual(response.object.headers['Server'], 'hookgate');
    assert.deepEqual(response.object.multivalue_headers.find((h) => h.key === 'Server')?.values, ['hookgate']);
    response.deleteHeader('SET-COOKIE');
    assert.equal(response.getHeader('Set-Cookie'), undefined);
    assert.deepEqual(response.object.multivalue_headers.map((h) => h.key).sort(), ['Server', 'X-New']);
  });

  it('changes status and body, and refuses a status the gateway cannot send', () => {
    const response = new HookResponse(responseObject());
    response.status = 201;
    response.setBody('bye');
    assert.equal(response.object.status_code, 201);
    assert.equal(response.object.raw_body.toString(), 'bye');
    assert.throws(() => (response.status = 0), /from 100 to 599, got 0/);
  });
});

describe('outcomes', () => {
  it('check their arguments where they are made', () => {
    assert.throws(() => allow(''), /allow\(token\) must not be empty/);
    assert.throws(() => deny(200, 'x'), /status must be an integer from 400 to 599, got 200/);
    assert.throws(() => respond(99), /from 100 to 599/);
    assert.throws(() => deny(403, 'x', { 'X-A': 1 as never }), /header "X-A" must be a string/);
  });

  it('respond() sends an object body as JSON with its content type, unless one is given', () => {
    assert.deepEqual(respond(200, { ok: true }).headers, { 'Content-Type': 'application/json' });
    assert.equal(respond(200, { ok: true }).body, '{"ok":true}');
    assert.deepEqual(respond(200, [1], { 'content-type': 'text/x' }).headers, { 'content-type': 'text/x' });
  });
});

describe('goJsonMarshal (config_data as Tyk sends it)', () => {
  it('sorts keys at every level, is compact, and escapes <, > and & as Go does', () => {
    assert.equal(goJsonMarshal({ b: 1, a: { d: [true, null], c: '<&>' } }), '{"a":{"c":"\\u003c\\u0026\\u003e","d":[true,null]},"b":1}');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goJsonMarshal, loadApiDocuments, type ApiLoadContext, type ApiLoadResult } from '../../gateway/apidef/index.js';
import { apiLoadContextOf } from '../../gateway/apidef/index.js';
import { loadConfigDocument } from '../../gateway/config/index.js';
import { keylessApi } from '../helpers/apis.js';

const context: ApiLoadContext = apiLoadContextOf(
  loadConfigDocument({
    coprocess_options: {
      enable_coprocess: true,
      coprocess_grpc_server: 'tcp://127.0.0.1:5555',
      dispatch_timeout_ms: 1500,
      sidecars: [{ name: 'auth', command: 'node', address: 'unix:///tmp/auth.sock' }],
    },
  }).config ?? assert.fail('config'),
);

const protectedApi = (extra: Record<string, unknown>) => ({
  ...keylessApi('p', '/p/', 'http://up'),
  use_keyless: false,
  enable_coprocess_auth: true,
  custom_middleware: { driver: 'grpc', auth_check: { name: 'MyAuth' }, pre: [{ name: 'Pre1' }, { name: 'Off', disabled: true }], post: [{ name: 'Post1', raw_body_only: true }], response: [{ name: 'Res1' }], post_key_auth: [{ name: 'PKA' }] },
  ...extra,
});
const load = (doc: unknown, ctx = context): ApiLoadResult => loadApiDocuments([{ file: 'p.json', document: doc }], ctx);
const errorsOf = (r: ApiLoadResult) => r.refused.flatMap((x) => x.errors.map((e) => e.message));

describe('plugin plans', () => {
  it('resolves the hooks in Tyk order with deadlines, raw_body_only and the default plugin server', () => {
    const result = load(protectedApi({ config_data: { b: 1, a: '<x>' } }));
    assert.deepEqual(errorsOf(result), []);
    const plan = result.apis[0]?.plugins;
    assert.ok(plan);
    assert.equal(plan.server, '127.0.0.1:5555');
    assert.deepEqual(plan.pre.map((h) => h.name), ['Pre1']);
    assert.equal(plan.authCheck?.name, 'MyAuth');
    assert.deepEqual(plan.postKeyAuth.map((h) => h.name), ['PKA']);
    assert.equal(plan.post[0]?.rawBodyOnly, true);
    assert.equal(plan.response[0]?.deadlineMs, 1500);
    assert.equal(plan.spec['APIID'], 'p');
    assert.equal(plan.spec['bundle_hash'], 'd41d8cd98f00b204e9800998ecf8427e');
    assert.equal(plan.spec['config_data'], '{"a":"\\u003cx\\u003e","b":1}');
  });

  it('applies per-API and per-hook deadlines, fail_open and sidecar references', () => {
    const result = load(protectedApi({ hookgate: { plugin_server: 'sidecar:auth', dispatch_timeout_ms: 700, hooks: { Pre1: { dispatch_timeout_ms: 50, fail_open: true } } } }));
    const plan = result.apis[0]?.plugins;
    assert.equal(plan?.server, 'unix:///tmp/auth.sock');
    assert.deepEqual(plan?.pre.map((h) => [h.deadlineMs, h.failOpen]), [[50, true]]);
    assert.equal(plan?.authCheck?.deadlineMs, 700);
    assert.equal(plan?.authCheck?.failOpen, false);
  });

  it('refuses fail_open on the auth hook, unknown sidecars, and custom auth without an auth_check', () => {
    assert.match(errorsOf(load(protectedApi({ hookgate: { hooks: { MyAuth: { fail_open: true } } } }))).join(), /fail_open is not allowed on the auth hook/);
    assert.match(errorsOf(load(protectedApi({ hookgate: { plugin_server: 'sidecar:nope' } }))).join(), /no sidecar is named "nope"/);
    const noAuthCheck = protectedApi({});
    (noAuthCheck.custom_middleware as Record<string, unknown>)['auth_check'] = { name: 'MyAuth', disabled: true };
    assert.match(errorsOf(load(noAuthCheck)).join(), /no auth_check hook is named \(or it is disabled\)/);
  });

  it('refuses drivers other than grpc and python, python without a bundle, and hooks without a plugin server', () => {
    const python = protectedApi({});
    (python.custom_middleware as Record<string, unknown>)['driver'] = 'python';
    assert.match(errorsOf(load(python)).join(), /driver "python" runs a bundle: set custom_middleware_bundle .* or hookgate.bundle_path/);
    const otto = protectedApi({});
    (otto.custom_middleware as Record<string, unknown>)['driver'] = 'otto';
    assert.match(errorsOf(load(otto)).join(), /plugins with driver "otto" \(Hookgate runs "grpc" and "python" plugins\)/);
    const noServer = apiLoadContextOf(loadConfigDocument({ coprocess_options: { enable_coprocess: true } }).config ?? assert.fail('config'));
    assert.match(errorsOf(load(protectedApi({}), noServer)).join(), /no plugin server is set/);
  });

  it('collects cp_dynamic_handler subscriptions and warns about other handlers', () => {
    const result = load(protectedApi({ event_handlers: { events: { AuthFailure: [{ handler_name: 'cp_dynamic_handler', handler_meta: { name: 'OnAuthFailure' } }, { handler_name: 'eh_web_hook_handler', handler_meta: {} }] } } }));
    assert.deepEqual([...(result.apis[0]?.plugins?.eventHandlers ?? [])], [['AuthFailure', ['OnAuthFailure']]]);
    assert.match(result.warnings.map((w) => w.problem.message).join(), /"eh_web_hook_handler" is not supported/);
  });

  it('goJsonMarshal matches Go: sorted keys, compact, HTML characters escaped', () => {
    assert.equal(goJsonMarshal({ z: [1, { y: 2, x: '&' }], a: null }), '{"a":null,"z":[1,{"x":"\\u0026","y":2}]}');
  });
});

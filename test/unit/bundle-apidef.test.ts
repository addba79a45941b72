import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiLoadContextOf, customMiddlewareSchema, keepLastGood, loadApiDocuments, requestedBundleOf, type BundleOutcome } from '../../gateway/apidef/index.js';
import { loadConfigDocument } from '../../gateway/config/index.js';
import { keylessApi } from '../helpers/apis.js';
import { oasApi } from '../helpers/oas.js';

const config = loadConfigDocument({ coprocess_options: { enable_coprocess: true, coprocess_grpc_server: '127.0.0.1:5555' } }).config ?? assert.fail('config');
const context = apiLoadContextOf(config);
const loaded = (name: string, cm: unknown, dir = `/mw/bundles/${name}`): BundleOutcome => ({
  ok: true,
  bundle: { name, dir, customMiddleware: customMiddlewareSchema.parse(cm), source: 'download' },
});
const api = (id: string, bundle: string, extra: Record<string, unknown> = {}) =>
  keylessApi(id, `/${id}/`, 'http://up', {}, { custom_middleware_bundle: bundle, custom_middleware: { driver: 'grpc', pre: [{ name: 'Own' }] }, ...extra });
const messages = (result: ReturnType<typeof loadApiDocuments>) => result.refused.flatMap((r) => r.errors.map((e) => e.message));

describe('API definitions with bundles', () => {
  it("replaces the API's custom_middleware with the bundle's, and puts the bundle's folder on the plan", () => {
    const result = loadApiDocuments([{ file: 'g.json', document: api('g', 'g.zip'), bundle: loaded('g.zip', { driver: 'grpc', pre: [{ name: 'FromBundle' }] }) }], context);
    assert.deepEqual(messages(result), []);
    const plan = result.apis[0]?.plugins;
    assert.deepEqual(plan?.pre.map((h) => h.name), ['FromBundle']);
    assert.equal(plan?.bundleDir, '/mw/bundles/g.zip');
    assert.equal(plan?.spec['bundle_hash'], '145c8e3089a1c45ff3431e34b05065d5');
  });

  it('reads the bundle a Tyk OAS definition names in middleware.global.pluginConfig.bundle, and applies it', () => {
    const bundleAt = (bundle: Record<string, unknown>) =>
      oasApi('o', '/o/', 'http://up', { authentication: false, middleware: { global: { pluginConfig: { driver: 'grpc', bundle } } } });
    assert.equal(requestedBundleOf(bundleAt({ enabled: true, path: 'o.zip' })), 'o.zip');
    assert.equal(requestedBundleOf(bundleAt({ enabled: false, path: 'o.zip' })), undefined, 'a disabled bundle is not fetched');
    const document = bundleAt({ enabled: true, path: 'o.zip' });
    const result = loadApiDocuments([{ file: 'o.json', document, bundle: loaded('o.zip', { driver: 'grpc', pre: [{ name: 'FromBundle' }] }) }], context);
    assert.deepEqual(messages(result), []);
    assert.deepEqual(result.apis[0]?.plugins?.pre.map((h) => h.name), ['FromBundle']);
    const missing = loadApiDocuments([{ file: 'o.json', document }], context);
    assert.match(messages(missing)[0] ?? '', /bundle "o\.zip" failed to load/);
  });

  it("says when a problem in custom_middleware comes from the bundle's manifest", () => {
    const doc = api('a', 'a.zip', { use_keyless: false, enable_coprocess_auth: true });
    const result = loadApiDocuments([{ file: 'a.json', document: doc, bundle: loaded('a.zip', { driver: 'grpc', pre: [{ name: 'P' }] }) }], context);
    assert.match(messages(result)[0] ?? '', /no auth_check hook is named.*\(custom_middleware comes from bundle "a.zip"\)$/);
  });

  it('a failed bundle refuses the API with the reason; a disabled bundle is not loaded at all', () => {
    const failed: BundleOutcome = { ok: false, name: 'f.zip', reason: "Couldn't fetch bundle: HTTP Error, got status code 404" };
    const result = loadApiDocuments([{ file: 'f.json', document: api('f', 'f.zip'), bundle: failed }], context);
    assert.deepEqual(messages(result), ['`custom_middleware_bundle`: bundle "f.zip" failed to load: Couldn\'t fetch bundle: HTTP Error, got status code 404; the API is not loaded (as in Tyk)']);
    assert.deepEqual(result.refused[0]?.bundleFailure, { name: 'f.zip', reason: "Couldn't fetch bundle: HTTP Error, got status code 404" });
    assert.equal(result.refused[0]?.routePrefix, '/f', 'its listen path stays blocked (404)');
    const disabled = loadApiDocuments([{ file: 'd.json', document: api('d', 'd.zip', { custom_middleware_bundle_disabled: true }) }], context);
    assert.deepEqual(disabled.apis[0]?.plugins?.pre.map((h) => h.name), ['Own']);
  });
});

describe('keepLastGood', () => {
  const good = loadApiDocuments([{ file: 'k.json', document: api('k', 'k-1.zip'), bundle: loaded('k-1.zip', { driver: 'grpc', pre: [{ name: 'V1' }] }) }], context).apis;
  const failing = (extra: { file: string; document: unknown }[] = []) =>
    loadApiDocuments([{ file: 'k.json', document: api('k', 'k-2.zip'), bundle: { ok: false, name: 'k-2.zip', reason: 'invalid checksum' } }, ...extra], context);

  it('keeps serving the previous version of an API whose new bundle failed, as a warning', () => {
    const next = keepLastGood(good, failing());
    assert.deepEqual(next.apis.map((a) => [a.id, a.plugins?.pre[0]?.name]), [['k', 'V1']]);
    assert.deepEqual(next.refused, []);
    assert.match(next.warnings[0]?.problem.message ?? '', /bundle "k-2.zip" failed to load: invalid checksum; API "k" keeps serving its last good version \(bundle "k-1.zip"\)$/);
  });

  it('not when there was none, nor when another API now has its listen path, nor for other errors', () => {
    assert.equal(keepLastGood([], failing()).refused.length, 1);
    const squatter = { file: 'z.json', document: keylessApi('z', '/k/', 'http://up') };
    const taken = keepLastGood(good, failing([squatter]));
    assert.deepEqual(taken.apis.map((a) => a.id), ['z']);
    const broken = loadApiDocuments([{ file: 'k.json', document: { ...api('k', 'k-2.zip'), enable_ip_whitelisting: true }, bundle: { ok: false, name: 'k-2.zip', reason: 'x' } }], context);
    assert.equal(keepLastGood(good, broken).refused.length, 1);
  });
});

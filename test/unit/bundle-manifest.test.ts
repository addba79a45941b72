import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { customMiddlewareSchema } from '../../gateway/apidef/index.js';
import { backoffDelay, bundleSource, bundleSubdirName, marshalManifest, parseBundleNames, parseManifest } from '../../gateway/bundles/index.js';
import { buildProblem } from '../../gateway/bundles/manifest.js';
import { mergeBundles } from '../../gateway/bundles/merge.js';
import { isHookgateError } from '../../gateway/errors/index.js';

const parsed = (doc: unknown) => {
  const result = parseManifest(JSON.stringify(doc));
  if (!result.ok) assert.fail(result.problems.map((p) => p.message).join('\n'));
  return result;
};

describe('manifest.json', () => {
  it('reads what Tyk writes, null lists included (Go leaves them empty)', () => {
    const { manifest } = parsed({
      file_list: null,
      custom_middleware: { pre: null, post: [{ name: 'P', path: '', code: 'var x;' }], auth_check: { name: 'Auth' }, driver: 'grpc', id_extractor: { extractor_config: null } },
      checksum: 'd41d8cd98f00b204e9800998ecf8427e',
      signature: '',
    });
    assert.deepEqual(manifest.fileList, []);
    assert.deepEqual(manifest.customMiddleware.pre, []);
    assert.equal(manifest.customMiddleware.post[0]?.name, 'P');
    assert.equal(manifest.customMiddleware.auth_check.name, 'Auth');
    assert.equal(manifest.checksum, 'd41d8cd98f00b204e9800998ecf8427e');
  });

  it('reports every problem with its path, and bad JSON with line and column', () => {
    const bad = parseManifest(JSON.stringify({ file_list: ['a.py', 3], custom_middleware: { driver: 'cobol', pre: {} } }));
    assert.equal(bad.ok, false);
    const text = bad.ok ? '' : bad.problems.map((p) => p.message).join('\n');
    assert.match(text, /`file_list\[1\]` to be a string, got 3/);
    assert.match(text, /`custom_middleware.driver` to be one of/);
    assert.match(text, /`custom_middleware.pre` to be an array/);
    const json = parseManifest('{\n  "file_list": [,]\n}');
    assert.equal(json.ok, false);
    assert.match(json.ok ? '' : (json.problems[0]?.message ?? ''), /invalid JSON at line 2/);
  });

  it("applies Tyk's bundler checks in Tyk's order, with Tyk's texts", async () => {
    const check = (doc: unknown, present: string[] = []) => buildProblem(parsed(doc).manifest, async (f) => present.includes(f));
    assert.equal(await check({ file_list: ['a.py', 'b.py'], custom_middleware: {} }, ['a.py']), 'Referencing a nonexistent file: b.py');
    assert.equal(await check({ file_list: [], custom_middleware: { driver: 'grpc' } }), 'No hooks defined');
    assert.equal(await check({ custom_middleware: { driver: 'grpc', auth_check: { name: '' }, traffic_logs: { name: '' } } }), 'No hooks defined');
    assert.equal(await check({ custom_middleware: { pre: [{ name: 'P' }] } }), 'No driver specified');
    // Tyk counts list entries, named or not, and a named auth_check or traffic_logs.
    assert.equal(await check({ custom_middleware: { driver: 'grpc', response: [{}] } }), undefined);
    assert.equal(await check({ custom_middleware: { driver: 'goplugin', traffic_logs: { name: 'Log' } } }), undefined);
  });

  it("is rewritten as Go's json.Marshal writes the struct: every field, struct order, null for missing lists", () => {
    const raw = parsed({ custom_middleware: { driver: 'grpc', post: [{ name: 'a<b>&c', code: 'x' }], id_extractor: { extractor_config: { z: 1, a: 'q' } } }, unknown: 1 }).raw;
    assert.equal(
      marshalManifest(raw, 'sum', 'sig'),
      '{"file_list":null,"custom_middleware":{"pre":null,' +
        '"post":[{"disabled":false,"name":"a\\u003cb\\u003e\\u0026c","path":"","code":"x","require_session":false,"raw_body_only":false}],' +
        '"post_key_auth":null,"auth_check":{"disabled":false,"name":"","path":"","require_session":false,"raw_body_only":false},' +
        '"traffic_logs":{"disabled":false,"name":"","path":"","require_session":false,"raw_body_only":false},"response":null,"driver":"grpc",' +
        '"id_extractor":{"disabled":false,"extract_from":"","extract_with":"","extractor_config":{"a":"q","z":1}}},"checksum":"sum","signature":"sig"}',
    );
    assert.match(marshalManifest(parsed({ file_list: [] }).raw, '', ''), /^\{"file_list":\[\],/);
  });
});

describe('bundle names and where they come from', () => {
  it("splits lists as Tyk's parseBundleNames", () => {
    assert.deepEqual(parseBundleNames(' a.zip , ,b.zip,'), ['a.zip', 'b.zip']);
    assert.deepEqual(parseBundleNames(' , '), []);
  });

  it("names a list's subfolders as Tyk, without ever leaving the API's folder", () => {
    assert.equal(bundleSubdirName('auth.zip'), 'auth');
    assert.equal(bundleSubdirName('v1/auth.tar.gz'), 'v1__auth.tar');
    assert.equal(bundleSubdirName('a\\b.zip'), 'a__b');
    for (const escaping of ['...zip', '..zip', '.zip', '..']) assert.match(bundleSubdirName(escaping), /^bundle_[0-9a-f]{12}$/, escaping);
  });

  it('joins the base URL path and the name as Go path.Join; file:// strips the scheme', () => {
    assert.deepEqual(bundleSource('http://h:8000/bundles/', 'b-1.zip', '/cfg'), { kind: 'http', url: 'http://h:8000/bundles/b-1.zip', secure: false });
    assert.deepEqual(bundleSource('https://h', 'b.zip', '/cfg'), { kind: 'http', url: 'https://h/b.zip', secure: true });
    assert.deepEqual(bundleSource('file://testdata/', 'b.zip', '/cfg'), { kind: 'file', path: '/cfg/testdata/b.zip', url: 'file://testdata/b.zip' });
    assert.deepEqual(bundleSource('file:///srv/b', 'x.zip', '/cfg'), { kind: 'file', path: '/srv/b/x.zip', url: 'file:///srv/b/x.zip' });
    assert.throws(() => bundleSource('ftp://h/', 'b.zip', '/'), /^Error: Unknown URL scheme$/);
  });

  it('waits longer before each retry, between half and all of the doubled wait, capped', () => {
    const settings = { retryInitialMs: 100, retryMaxMs: 1000 };
    for (let run = 0; run < 50; run++) {
      const waits = [0, 1, 2, 3, 4, 5].map((retry) => backoffDelay(retry, settings));
      waits.forEach((w, retry) => {
        const base = Math.min(100 * 2 ** retry, 1000);
        assert.ok(w >= base / 2 && w <= base, `${w} within [${base / 2}, ${base}]`);
        if (retry > 0) assert.ok(w >= (waits[retry - 1] ?? 0) || base === 1000, 'never shorter than the wait before, until the cap');
      });
    }
  });
});

describe('a list of gRPC bundles, merged as Tyk', () => {
  const cm = (value: unknown) => customMiddlewareSchema.parse(value);

  it('appends hooks in name order under each subfolder; first id_extractor wins', () => {
    const merged = mergeBundles([
      { name: 'a.zip', subdir: 'a', customMiddleware: cm({ driver: 'grpc', pre: [{ name: 'A1', path: 'x.py' }], id_extractor: { extract_from: 'header', extract_with: 'value', extractor_config: { header_name: 'A' } } }) },
      { name: 'b.zip', subdir: 'b', customMiddleware: cm({ driver: 'grpc', pre: [{ name: 'B1' }], auth_check: { name: 'Auth', path: 'auth.py' }, id_extractor: { extract_from: 'header', extract_with: 'value', extractor_config: { header_name: 'B' } } }) },
    ]);
    assert.deepEqual(merged.pre.map((h) => [h.name, h.path]), [['A1', 'a/x.py'], ['B1', '']]);
    assert.deepEqual([merged.auth_check.name, merged.auth_check.path], ['Auth', 'b/auth.py']);
    assert.equal(merged.id_extractor.extractor_config['header_name'], 'A');
    assert.deepEqual(customMiddlewareSchema.parse({}).pre, [], 'merging leaves the schema defaults alone');
  });

  it('refuses a second auth_check and mixed drivers, naming the bundle', () => {
    const auth = (driver: string) => cm({ driver, auth_check: { name: 'Auth' } });
    assert.throws(() => mergeBundles([{ name: 'a.zip', subdir: 'a', customMiddleware: auth('grpc') }, { name: 'b.zip', subdir: 'b', customMiddleware: auth('grpc') }]), (err) => isHookgateError(err, 'HG_ERR_BUNDLE_MERGE') && /"b.zip".*auth_check/.test(err.message));
    assert.throws(() => mergeBundles([{ name: 'a.zip', subdir: 'a', customMiddleware: cm({ driver: 'grpc' }) }, { name: 'p.zip', subdir: 'p', customMiddleware: cm({ driver: 'python' }) }]), /declares driver "python" but earlier bundles set "grpc"/);
  });
});

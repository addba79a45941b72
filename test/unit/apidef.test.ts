import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadApiDocuments, type ApiLoadResult } from '../../gateway/apidef/index.js';
import { keylessApi } from '../helpers/apis.js';

const load = (...docs: { file: string; document: unknown }[]): ApiLoadResult => loadApiDocuments(docs);
const errorsOf = (result: ApiLoadResult) => result.refused.flatMap((r) => r.errors.map((e) => e.message));
const warningsOf = (result: ApiLoadResult) => result.warnings.map((w) => w.problem.message);

describe('API definitions', () => {
  it('loads a keyless Classic definition into a spec with a split upstream target', () => {
    const result = load({ file: 'a.json', document: keylessApi('a', '/a/', 'http://up:9000/base?x=1', { preserve_host_header: true }) });
    assert.deepEqual(errorsOf(result), []);
    const api = result.apis[0];
    assert.ok(api);
    assert.equal(api.routePrefix, '/a');
    assert.deepEqual(api.target, { origin: 'http://up:9000', basePath: '/base', baseQuery: 'x=1', host: 'up:9000', secure: false });
    assert.equal(api.preserveHostHeader, true);
    assert.ok(Object.isFrozen(api));
  });

  it('names the file and every broken field of a refused definition', () => {
    const result = load({ file: 'bad.json', document: { api_id: 'bad', use_keyless: true, proxy: { listen_path: 42, target_url: 'ftp://x' } } });
    assert.equal(result.apis.length, 0);
    assert.equal(result.refused[0]?.file, 'bad.json');
    assert.equal(result.refused[0]?.apiId, 'bad');
    assert.deepEqual(errorsOf(result), [
      'Expected `proxy.listen_path` to be a string starting with / (the path prefix the API is served on), got 42 (number)',
      'Expected `proxy.target_url` to be an http:// or https:// URL, got "ftp://x" (string)',
    ]);
  });

  it('loads protected APIs with the auth token (Tyk\'s default) and refuses methods not implemented yet', () => {
    const standard = load({ file: 'p.json', document: { ...keylessApi('p', '/p/', 'http://up'), use_keyless: false } });
    assert.deepEqual(errorsOf(standard), []);
    assert.equal(standard.apis[0]?.keyless, false);
    const custom = load({ file: 'c.json', document: { ...keylessApi('c', '/c/', 'http://up'), use_keyless: false, enable_coprocess_auth: true, use_standard_auth: true } });
    assert.deepEqual(errorsOf(custom).map((e) => e.split(':')[0]), ['`custom_middleware.auth_check`']);
    // With another method on, the auth token is not added by default (Tyk's loader).
    const oauth = load({ file: 'o.json', document: { ...keylessApi('o', '/o/', 'http://up'), use_keyless: false, use_oauth2: true } });
    assert.deepEqual(errorsOf(oauth), ['`use_oauth2`: the API needs OAuth 2.0, which Hookgate does not support yet; the API is refused rather than served without it']);
  });

  it('refuses a base_identity_provided_by that names a method the API does not use', () => {
    const result = load({ file: 'b.json', document: { ...keylessApi('b', '/b/', 'http://up'), use_keyless: false, base_identity_provided_by: 'custom_auth' } });
    assert.match(errorsOf(result)[0] ?? '', /`base_identity_provided_by`: "custom_auth" names an auth method this API does not use \(it uses auth_token\)/);
  });

  it('refuses token signature validation (not implemented) and certificate auth on a gateway without TLS', () => {
    const result = load({ file: 's.json', document: { ...keylessApi('s', '/s/', 'http://up'), use_keyless: false, auth_configs: { authToken: { validate_signature: true, use_certificate: true } } } });
    assert.equal(errorsOf(result).length, 2);
    assert.match(errorsOf(result).join('\n'), /token signature validation, which Hookgate does not support yet/);
    assert.match(errorsOf(result).join('\n'), /use_certificate` \(certificate auth\) needs TLS on the gateway/);
  });

  it('refuses features that restrict access and warns about ones that do not', () => {
    const result = load({
      file: 'f.json',
      document: keylessApi('f', '/f/', 'http://up', {}, {
        enable_ip_whitelisting: true,
        allowed_ips: ['10.0.0.1'],
        custom_middleware: { driver: 'grpc', pre: [{ name: 'AddHeader' }], post: [{ name: 'Off', disabled: true }] },
        CORS: { enable: true, allowed_origins: ['*'] },
        cache_options: { enable_cache: false, cache_timeout: 60 },
        jwt_identity_base_field: 'sub',
      }),
    });
    assert.deepEqual(errorsOf(result).sort(), [
      '`custom_middleware.driver`: the API uses gRPC plugin hooks, but coprocess_options.enable_coprocess is false in the gateway config',
      '`enable_ip_whitelisting` turns on an IP allow list, which Hookgate does not support yet; refused rather than run without it',
    ]);
    assert.deepEqual(warningsOf(result), ['`CORS` (CORS handling) is not supported by Hookgate yet and is ignored']);
  });

  it('refuses blocking endpoint lists inside a version, and bundles when nothing loads them', () => {
    const result = load({
      file: 'v.json',
      document: keylessApi('v', '/v/', 'http://up', {}, {
        custom_middleware_bundle: 'bundle-1.zip',
        version_data: { not_versioned: true, versions: { Default: { name: 'Default', extended_paths: { black_list: [{ path: '/admin' }] } } } },
      }),
    });
    assert.equal(errorsOf(result).length, 2);
    assert.match(errorsOf(result).join('\n'), /`version_data.versions.Default.extended_paths` turns on endpoint middleware/);
    assert.match(errorsOf(result).join('\n'), /bundle "bundle-1.zip" failed to load: bundles are loaded by the gateway/);
  });

  it('keeps a typical dashboard export quiet: zero-valued Tyk fields are not warned about', () => {
    const exported = keylessApi('e', '/e/', 'http://up', { target_list: [], check_host_against_uptime_tests: false, transport: { ssl_ciphers: [], proxy_url: '' } }, {
      id: '5f0c', slug: 'e', definition: { location: 'header', key: 'x-api-version' }, auth_provider: { name: '', storage_engine: '', meta: {} },
      CORS: { enable: false, allowed_origins: ['*'] }, hmac_allowed_clock_skew: -1, enable_batch_request_support: false, tags: [], global_rate_limit: { rate: 0, per: 0 },
      event_handlers: { events: {} }, uptime_tests: { check_list: [], config: { recheck_wait: 0 } },
    });
    const result = load({ file: 'e.json', document: exported });
    assert.deepEqual(errorsOf(result), []);
    assert.deepEqual(warningsOf(result), []);
  });

  it('warns about unknown keys with a suggestion', () => {
    const result = load({ file: 'u.json', document: { ...keylessApi('u', '/u/', 'http://up'), use_keyles: true } });
    assert.deepEqual(warningsOf(result), ['Unknown key `use_keyles` is ignored; did you mean `use_keyless`?']);
  });

  it('refuses a duplicate api_id or listen path and keeps the first', () => {
    const result = load(
      { file: 'a.json', document: keylessApi('same', '/a/', 'http://up') },
      { file: 'b.json', document: keylessApi('same', '/b/', 'http://up') },
      { file: 'c.json', document: keylessApi('other', '/a', 'http://up') },
    );
    assert.deepEqual(result.apis.map((a) => a.file), ['a.json']);
    assert.match(errorsOf(result)[0] ?? '', /`api_id` "same" is already used by a.json/);
    assert.match(errorsOf(result)[1] ?? '', /`proxy.listen_path` "\/a" is already served by API "same" \(a.json\)/);
    // A conflicting definition does not block the listen path the first one serves.
    assert.equal(result.refused[1]?.routePrefix, undefined);
  });

  it('keeps the listen path of a refused definition so it can be blocked', () => {
    const result = load({ file: 'p.json', document: { ...keylessApi('p', '/private/', 'http://up'), use_keyless: false, use_oauth2: true } });
    assert.equal(result.refused[0]?.routePrefix, '/private');
  });

  it('skips inactive definitions', () => {
    const result = load({ file: 'i.json', document: { ...keylessApi('i', '/i/', 'http://up'), active: false } });
    assert.deepEqual(result.inactive, ['i.json']);
    assert.equal(result.apis.length + result.refused.length, 0);
  });

  it('rejects listen paths with dot segments or queries', () => {
    const result = load({ file: 'd.json', document: keylessApi('d', '/a/../b', 'http://up') });
    assert.match(errorsOf(result)[0] ?? '', /must be a plain path/);
  });
});

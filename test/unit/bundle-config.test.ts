import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfigDocument } from '../../gateway/config/index.js';

describe('bundle settings in tyk.conf', () => {
  it("resolves Tyk's keys, with paths against the config file's folder", () => {
    const { config, warnings } = loadConfigDocument(
      { enable_bundle_downloader: true, bundle_base_url: 'http://bundles/', public_key_path: 'keys/pub.pem', middleware_path: 'mw', skip_verify_existing_plugin_bundle: true },
      '/etc/hookgate/tyk.conf',
    );
    assert.deepEqual(warnings, [{ path: 'secret', message: '`secret` is empty: the control API (/tyk/...) is disabled (Tyk would leave it open to anyone)' }], 'bundles are no longer warned about');
    assert.deepEqual(config?.bundles, {
      downloaderEnabled: true,
      baseUrl: 'http://bundles/',
      insecureSkipVerify: false,
      skipVerifyExisting: true,
      publicKeyPath: '/etc/hookgate/keys/pub.pem',
      bundlesPath: '/etc/hookgate/mw/bundles',
      baseDir: '/etc/hookgate',
      downloadTimeoutMs: 5000,
      downloadRetries: 4,
      retryInitialMs: 500,
      retryMaxMs: 5000,
      limits: { maxArchiveBytes: 64 * 1024 * 1024, maxUnpackedBytes: 256 * 1024 * 1024, maxFiles: 10_000 },
    });
  });

  it('warns about a base URL no bundle can come from, and refuses backoff limits the wrong way round', () => {
    const ftp = loadConfigDocument({ secret: 's', bundle_base_url: 'ftp://host/' });
    assert.match(ftp.warnings.map((w) => w.message).join('\n'), /`bundle_base_url` "ftp:\/\/host\/" is not an http:\/\/, https:\/\/ or file:\/\/ URL/);
    assert.deepEqual(loadConfigDocument({ secret: 's', bundle_base_url: 'file://testdata/' }).warnings, []);
    const backwards = loadConfigDocument({ hookgate: { bundles: { retry_initial_ms: 500, retry_max_ms: 100 } } });
    assert.deepEqual(backwards.errors.map((e) => e.path), ['hookgate.bundles.retry_max_ms']);
  });
});

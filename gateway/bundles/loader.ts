import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import type { CertificateResolver } from '../crypto/index.js';
import { apiLoadContextOf, type ApiLoadContext, type BundleLoader, type BundleOutcome } from '../apidef/index.js';
import type { BundleSettings, GatewayConfig } from '../config/index.js';
import { HookgateError, isHookgateError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import { loadBundleFolder, type BundleFolder, type CacheContext } from './cache.js';
import { downloadBundle } from './download.js';
import { mergeBundles, type BundlePart } from './merge.js';
import { bundleSource, bundleSubdirName, isSingleBundle, md5Hex, parseBundleNames } from './names.js';
import { loadPublicKey, type VerifyKey } from './verify.js';

/** Tyk's wording for the step that failed ("Couldn't fetch bundle: HTTP Error, got status code 404"). */
function describeFailure(err: unknown, name: string | undefined): string {
  const which = name === undefined ? '' : ` ${JSON.stringify(name)}`;
  if (!isHookgateError(err)) return `Couldn't load bundle${which}: ${err instanceof Error ? err.message : String(err)}`;
  switch (err.code) {
    case 'HG_ERR_BUNDLE_FETCH':
      return `Couldn't fetch bundle${which}: ${err.message}`;
    case 'HG_ERR_BUNDLE_ARCHIVE':
      return `Couldn't save bundle${which}: ${err.message}`;
    case 'HG_ERR_BUNDLE_MERGE':
      return err.message;
    default:
      return `Couldn't load bundle${which}: ${err.message}`;
  }
}

/** The key, read once per loader (so once per load or reload: a rotated key takes effect on reload). */
function verifyKeyOf(path: string): VerifyKey {
  let key: Promise<KeyObject> | undefined;
  return { configured: path !== '', get: () => (key ??= loadPublicKey(path)) };
}

/**
 * Loads plugin bundles for one load of the API definitions (protocol.md 4.4 to 4.7): the cached
 * folder `<middleware_path>/bundles/<md5 of the name>` when there is one, otherwise a download
 * from `bundle_base_url`, extracted and verified before anything in it is used. A list of names
 * loads each into its own subfolder and merges them (gRPC bundles only). Every failure becomes a
 * reason that names the bundle and what went wrong; the API is then not loaded.
 */
export function createBundleLoader(settings: BundleSettings, log?: Logger): BundleLoader {
  const context: CacheContext = {
    key: verifyKeyOf(settings.publicKeyPath),
    skipVerifyExisting: settings.skipVerifyExisting,
    limits: settings.limits,
    fetch: async (name) => {
      if (!settings.downloaderEnabled) throw new HookgateError('HG_ERR_BUNDLE_FETCH', 'Bundle downloader is disabled');
      let source;
      try {
        source = bundleSource(settings.baseUrl, name, settings.baseDir);
      } catch (err) {
        throw new HookgateError('HG_ERR_BUNDLE_FETCH', err instanceof Error ? err.message : String(err), { cause: err });
      }
      const download = {
        timeoutMs: settings.downloadTimeoutMs,
        retries: settings.downloadRetries,
        retryInitialMs: settings.retryInitialMs,
        retryMaxMs: settings.retryMaxMs,
        maxBytes: settings.limits.maxArchiveBytes,
        insecureSkipVerify: settings.insecureSkipVerify,
      };
      log?.info({ bundle: name, url: source.url }, 'downloading plugin bundle');
      return downloadBundle(source, download, ({ attempt, delayMs, reason }) =>
        log?.warn({ bundle: name, url: source.url, attempt, retry_in_ms: delayMs }, `bundle download failed: ${reason}; retrying`),
      );
    },
  };
  const logFolder = (name: string, folder: BundleFolder) => {
    const d = folder.download;
    if (d === undefined) log?.info({ bundle: name, dir: folder.dir }, 'plugin bundle loaded from the cache');
    else {
      const ms = (v: number) => Math.round(v * 10) / 10;
      log?.info(
        { bundle: name, dir: folder.dir, attempts: d.attempts, download_ms: ms(d.downloadMs), extract_ms: ms(d.extractMs), verify_ms: ms(d.verifyMs), files: d.files, bytes: d.bytes },
        'plugin bundle downloaded, extracted and verified',
      );
    }
  };

  return async (value): Promise<BundleOutcome> => {
    const names = parseBundleNames(value);
    const root = join(settings.bundlesPath, md5Hex(value));
    let current: string | undefined;
    try {
      if (settings.baseUrl === '') throw new HookgateError('HG_ERR_BUNDLE_FETCH', 'No bundle base URL set, skipping bundle');
      if (isSingleBundle(value, names)) {
        const folder = await loadBundleFolder(root, value, context);
        logFolder(value, folder);
        return { ok: true, bundle: { name: value, dir: root, customMiddleware: folder.manifest.customMiddleware, source: folder.source } };
      }
      const parts: BundlePart[] = [];
      let source: 'cache' | 'download' = 'cache';
      for (const name of names) {
        current = name;
        const subdir = bundleSubdirName(name);
        const folder = await loadBundleFolder(join(root, subdir), name, context);
        logFolder(name, folder);
        if (folder.source === 'download') source = 'download';
        if (folder.manifest.customMiddleware.driver === 'python') {
          throw new HookgateError('HG_ERR_BUNDLE_MERGE', `Couldn't merge bundle ${JSON.stringify(name)}: bundle ${JSON.stringify(name)} has driver "python": a list of bundles is for gRPC bundles (Tyk cannot load Python bundles from a list either)`);
        }
        parts.push({ name, subdir, customMiddleware: folder.manifest.customMiddleware });
      }
      current = undefined;
      return { ok: true, bundle: { name: value, dir: root, customMiddleware: mergeBundles(parts), source } };
    } catch (err) {
      return { ok: false, name: value, reason: describeFailure(err, current) };
    }
  };
}

/** What the gateway loads API definitions with: its plugin settings and a bundle loader. */
export function apiLoadingOf(config: GatewayConfig, log?: Logger, certificates?: CertificateResolver): { readonly context: ApiLoadContext; readonly bundles: BundleLoader } {
  return { context: apiLoadContextOf(config, certificates), bundles: createBundleLoader(config.bundles, log) };
}

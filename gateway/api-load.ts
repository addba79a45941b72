import { setTimeout as sleep } from 'node:timers/promises';
import { apiLoadContextOf, loadApiDefinitions, type ApiLoadResult } from './apidef/index.js';
import { apiLoadingOf } from './bundles/index.js';
import { CertificateStore, readStoreSnapshot } from './certs/index.js';
import { storeBackedResolver, type StoreSnapshot } from './crypto/index.js';
import type { GatewayConfig } from './config/index.js';
import type { Logger } from './logging/index.js';
import { createStore } from './storage/index.js';

/** How long loading waits for storage to answer before reading certificate-store IDs. */
const STORAGE_WAIT_MS = 10_000;

/** Reads certificate-store IDs now (storage open). */
export type StoreReader = (ids: readonly string[]) => Promise<StoreSnapshot>;

/**
 * Loads the API definitions of `app_path`. Upstream certificates, pins and CAs may name
 * certificate-store IDs (theirs and tyk.conf's): when any do, the IDs asked for are read from the
 * store and the definitions are read again against that snapshot. So a reload sees what was
 * uploaded to `/tyk/certs` since, and an ID the store lacks refuses the API naming field and ID.
 */
export async function loadApisWithCertificates(config: GatewayConfig, readStore: StoreReader, log?: Logger): Promise<ApiLoadResult> {
  const baseDir = config.upstreamTls.baseDir;
  const wanted = new Set<string>();
  const first = apiLoadingOf(config, log, storeBackedResolver(baseDir, new Map(), wanted));
  const loaded = await loadApiDefinitions(config.appPath, first.context, first.bundles);
  if (wanted.size === 0) return loaded;
  const snapshot = await readStore([...wanted]);
  // The same bundle loader: bundles are in middleware_path by now, the second pass only reads them.
  return loadApiDefinitions(config.appPath, apiLoadContextOf(config, storeBackedResolver(baseDir, snapshot, new Set())), first.bundles);
}

/**
 * A reader that opens the configured storage for one read and closes it: for loading before the
 * gateway's own storage connection exists (`hookgate start`, `hookgate check`).
 */
export function storageReader(config: GatewayConfig, logger: Logger): StoreReader {
  return async (ids) => {
    const store = createStore(config.storage, logger);
    try {
      // As the gateway's own start: wait (bounded) for storage to answer; an outage is then each ID's problem.
      const deadline = Date.now() + STORAGE_WAIT_MS;
      while ((await store.health()).status !== 'pass' && Date.now() < deadline) await sleep(50);
      return await readStoreSnapshot(new CertificateStore(store, { secret: config.tls.storeSecret, baseDir: config.upstreamTls.baseDir }), ids);
    } finally {
      await store.close().catch(() => undefined);
    }
  };
}

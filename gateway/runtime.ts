import { PluginClients, processRunDir, PythonBridges, SidecarSupervisor, StorePluginData, transportFactory, type PythonBundle, type ReadinessCheck } from '../coprocess/index.js';
import { logApiLoad } from './api-log.js';
import { loadApisWithCertificates } from './api-load.js';
import { keepLastGood, type ApiLoadResult, type ApiSpec } from './apidef/index.js';
import { CertificateStore, readStoreSnapshot } from './certs/index.js';
import type { GatewayConfig } from './config/index.js';
import { createControlHandler } from './control/index.js';
import { createErrorResponder } from './errors/index.js';
import { buildRouter, type HandlerDeps, type RouteTarget } from './http/index.js';
import { ThrottledLog, type AccessLogWriter, type Logger } from './logging/index.js';
import { GatewayMetrics } from './metrics/index.js';
import { EventDispatcher, JwksCache } from './pipeline/index.js';
import { UpstreamProxy } from './proxy/index.js';
import type { HostRouter } from './routing/index.js';
import { loadPolicies, policyLoadError, PolicyStore, type Policy } from './policy/index.js';
import { SessionStore } from './session/index.js';
import { createStore, type Store } from './storage/index.js';
import { certificateAuthCertificates, ExpiryMonitor, ServerTls } from './tls/index.js';

/** How long startup waits for storage to answer. */
const STORAGE_WAIT_MS = 10_000;

/** Dispatch to a sidecar's address only while it is ready; the reason says which and why. */
function sidecarReadiness(sidecars: SidecarSupervisor, target: string): ReadinessCheck | undefined {
  const name = sidecars.nameForAddress(target);
  if (name === undefined) return undefined;
  return () => {
    if (sidecars.isReady(name)) return { ready: true };
    const status = sidecars.status(name);
    return { ready: false, reason: `sidecar ${JSON.stringify(name)} is not ready (${status?.state ?? 'unknown'}${status?.reason === undefined ? '' : `: ${status.reason}`})` };
  };
}

/** The Python bundles the APIs run (one bridge each). */
function pythonBundlesOf(apis: readonly ApiSpec[]): PythonBundle[] {
  return apis.flatMap((api) => (api.plugins?.python === undefined ? [] : [api.plugins.python]));
}

/** Everything a running gateway is made of, built from the config, before any listener opens. */
export interface Runtime {
  readonly store: Store;
  /** The certificate store (docs/tls.md): what upstream TLS and every certificate reference use. */
  readonly certs: CertificateStore;
  /** Server certificates and client-certificate policy of the TLS listeners. */
  readonly serverTls: ServerTls;
  readonly proxy: UpstreamProxy;
  readonly clients: PluginClients;
  readonly sidecars: SidecarSupervisor | undefined;
  /** The Python bridges launched for APIs with driver "python". */
  readonly bridges: PythonBridges;
  /** What the request handlers read; `routes` changes on reload. */
  readonly handlerDeps: Omit<HandlerDeps, 'shuttingDown'>;
  apis(): readonly ApiSpec[];
  /**
   * Re-reads the API definitions and their plugin bundles and swaps the routes; reloads run one at
   * a time. An API whose new bundle fails keeps its last good version.
   */
  reload(): Promise<void>;
  /** Starts what must run before traffic (sidecars). */
  start(): Promise<void>;
  /** Waits for in-flight upstream calls, then closes storage, sidecars and plugin channels. */
  close(): Promise<void>;
  /** Aborts in-flight upstream calls. */
  abort(): void;
}

/** How a runtime runs inside `hookgate start --workers N` (gateway/cli/workers.ts); defaults: on its own. */
export interface RuntimeRole {
  /** False in a cluster worker: the primary launches and supervises the sidecars once. */
  readonly launchSidecars?: boolean;
  /** What the control API's reload calls, given this process's own reload (a worker also asks the primary to reload the others). */
  readonly controlReload?: (local: () => Promise<void>) => Promise<void>;
  /** Given this process's metrics once they exist (a worker serves the sum over all workers). */
  readonly onMetrics?: (metrics: GatewayMetrics) => void;
}

export function createRuntime(config: GatewayConfig, logger: Logger, loaded: ApiLoadResult, accessLog: AccessLogWriter | undefined, initialPolicies: readonly Policy[] = [], role: RuntimeRole = {}): Runtime {
  const apiLog = logger.child({ component: 'apis' });
  logApiLoad(loaded, apiLog);
  const store = createStore(config.storage, logger);
  const proxy = new UpstreamProxy(config.proxy);
  proxy.prepare(loaded.apis);
  const metrics = new GatewayMetrics();
  role.onMetrics?.(metrics);
  const { coprocess } = config;
  const sidecars = coprocess.sidecars.length === 0 || role.launchSidecars === false ? undefined : new SidecarSupervisor(coprocess.sidecars, logger);
  const bridges = new PythonBridges(
    {
      python: coprocess.python.executable,
      pathPrefix: coprocess.python.pathPrefix,
      workers: coprocess.python.workers,
      logLevel: config.log.level,
      maxMessageBytes: Math.max(coprocess.recvMaxBytes, coprocess.sendMaxBytes),
    },
    logger,
    new StorePluginData(store),
    processRunDir(),
  );
  const clients = new PluginClients(
    { recvMaxBytes: coprocess.recvMaxBytes, sendMaxBytes: coprocess.sendMaxBytes, authority: coprocess.authority, roundRobin: coprocess.roundRobin },
    (target) => (sidecars === undefined ? undefined : sidecarReadiness(sidecars, target)) ?? bridges.readiness(target),
    transportFactory(coprocess.transport),
  );
  const components = { statuses: () => [...(sidecars?.statuses() ?? []), ...bridges.statuses()] };
  const hookLog = new ThrottledLog(logger.child({ component: 'hooks' }));
  const errors = createErrorResponder(config.errors);
  const events = new EventDispatcher(clients, hookLog, coprocess.dispatchTimeoutMs);
  const sessions = new SessionStore(store, config.sessions);
  const policies = new PolicyStore(initialPolicies);
  const authLog = new ThrottledLog(logger.child({ component: 'auth' }));
  const jwks = new JwksCache(config.jwks, (key, fields, message) => authLog.warn(key, fields, message));
  const policyLog = logger.child({ component: 'policies' });
  if (policies.size > 0) policyLog.info({ policies: policies.size }, 'policies loaded');
  const certs = new CertificateStore(store, { secret: config.tls.storeSecret, baseDir: config.bundles.baseDir });
  const tlsLog = logger.child({ component: 'tls' });
  const serverTls = new ServerTls(config, certs, tlsLog);
  const expiry = new ExpiryMonitor(config.tls.expiry, metrics, events, tlsLog, (current) => certificateAuthCertificates(current, certs, sessions));

  let router: HostRouter<RouteTarget> = buildRouter(loaded.apis, loaded.refused);
  let apis = loaded.apis;
  const bundleLog = logger.child({ component: 'bundles' });
  // Requests already routed finish on the API set they started with.
  let reloading: Promise<void> = Promise.resolve();
  const reload = () => {
    // A failed reload must not stop the next one from running.
    reloading = reloading.catch(() => undefined).then(async () => {
      // As Tyk: policies first; a policy set with errors stops the reload (policies and APIs stay as they were).
      const nextPolicies = await loadPolicies(config.policies);
      for (const { file, problem } of nextPolicies.warnings) policyLog.warn({ file, field: problem.path }, problem.message);
      if (nextPolicies.errors.length > 0) {
        for (const { file, problem } of nextPolicies.errors) policyLog.error({ file, field: problem.path }, problem.message);
        throw policyLoadError(nextPolicies);
      }
      // Certificate-store IDs are read again: a certificate uploaded since is used, a deleted one refuses the API.
      const next = keepLastGood(apis, await loadApisWithCertificates(config, (ids) => readStoreSnapshot(certs, ids, true), bundleLog));
      logApiLoad(next, apiLog);
      // New bundles get their bridge before traffic reaches them; bridges no API uses any more stop after the swap.
      await bridges.add(pythonBundlesOf(next.apis));
      proxy.prepare(next.apis);
      policies.replace(nextPolicies.policies);
      // As Tyk drops an API's JWKS cache when it is loaded again: a reload refetches.
      jwks.clear();
      certs.clearCache();
      try {
        expiry.update(await serverTls.rebuild(next.apis), next.apis);
      } catch (err) {
        tlsLog.error({ err: err instanceof Error ? err.message : String(err) }, 'TLS settings not reloaded; the previous certificates stay in use');
      }
      router = buildRouter(next.apis, next.refused);
      apis = next.apis;
      await bridges.retain(pythonBundlesOf(next.apis));
      apiLog.info({ apis: next.apis.length, refused: next.refused.length, policies: policies.size }, 'API definitions reloaded');
    });
    return reloading;
  };

  const controlReload = role.controlReload;
  const control = createControlHandler({ config, sessions, policies, certs, logger, reload: controlReload === undefined ? reload : () => controlReload(reload) });
  return {
    store,
    certs,
    serverTls,
    proxy,
    clients,
    sidecars,
    bridges,
    apis: () => apis,
    reload,
    handlerDeps: {
      config,
      logger,
      accessLog,
      errors,
      store,
      metrics,
      sidecars: components,
      control,
      routes: () => router,
      pathLog: new ThrottledLog(logger.child({ component: 'routing' })),
      pipeline: {
        proxy,
        proxyLog: logger.child({ component: 'proxy' }),
        errors,
        clients,
        events,
        metrics,
        log: hookLog,
        jwks,
        sendMaxBytes: coprocess.sendMaxBytes,
        certs: { store: certs, allowUnsafeDynamicMtlsToken: config.tls.allowUnsafeDynamicMtlsToken },
        sessions: {
          sessions,
          policies,
          settings: config.sessions,
          events,
          errors,
          log: new ThrottledLog(logger.child({ component: 'sessions' })),
          onLimitsFailOpen: (apiId) => metrics.limitsFailedOpen(apiId),
        },
      },
    },
    async start() {
      // Like Tyk, wait for storage before taking traffic (bounded: a storage outage at startup is
      // reported and then handled as any other outage, failing closed).
      const deadline = Date.now() + STORAGE_WAIT_MS;
      let health = await store.health();
      while (health.status !== 'pass' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        health = await store.health();
      }
      if (health.status !== 'pass') logger.error({ storage: store.kind, reason: health.output }, `storage not ready after ${STORAGE_WAIT_MS} ms; serving anyway, requests that need it fail closed`);
      // Server certificates and allow lists may live in the certificate store: resolved now that it answers.
      expiry.update(await serverTls.rebuild(apis), apis);
      for (const source of [sidecars, bridges]) {
        source?.on('restart', (name) => metrics.sidecarRestarted(name));
        source?.on('ready', (name) => metrics.sidecarReady(name, true));
        source?.on('exit', (name) => metrics.sidecarReady(name, false));
      }
      // Traffic starts once every sidecar and bridge is ready or its first start failed; a failed
      // one keeps restarting in the background and its hooks fail closed until it is ready.
      await Promise.all([sidecars?.start(), bridges.add(pythonBundlesOf(apis))]);
    },
    async close() {
      expiry.stop();
      // Sidecars stop last: in-flight requests needed them until now.
      await Promise.allSettled([proxy.close(), sidecars?.stop(), bridges.stop()]);
      // Bridges use the store (tyk.store_data) until they have stopped.
      await Promise.allSettled([store.close()]);
      clients.closeAll();
    },
    abort() {
      void proxy.destroy();
    },
  };
}

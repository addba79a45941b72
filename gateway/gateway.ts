import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { loadApisWithCertificates, storageReader } from './api-load.js';
import type { ApiLoadResult, ApiSpec } from './apidef/index.js';
import type { GatewayConfig } from './config/index.js';
import { createRequestHandler, limitedServer } from './http/index.js';
import { closeServer, listen } from './listeners.js';
import { ThrottledLog } from './logging/index.js';
import type { AccessLogWriter, Logger } from './logging/index.js';
import { loadPolicies, policyLoadError, type PolicyLoadResult } from './policy/index.js';
import { createRuntime, type RuntimeRole } from './runtime.js';
import type { ListenerRole } from './tls/index.js';
import type { Server as TlsServer } from 'node:tls';
import type { Store } from './storage/index.js';

export { logApiLoad } from './api-log.js';

export interface RunningGateway {
  readonly address: string;
  readonly port: number;
  /** The control API's port when it has its own (control_api_port), else undefined. */
  readonly controlPort: number | undefined;
  /** The APIs served now (changes on reload). */
  readonly apis: readonly ApiSpec[];
  readonly store: Store;
  /** Re-reads the API definitions (what /tyk/reload and SIGHUP do). */
  reload(): Promise<void>;
  /**
   * Stops accepting connections, lets in-flight requests finish for up to `graceMs` (default:
   * `graceful_shutdown_timeout_duration`), then closes what is left. Resolves when all is closed.
   */
  shutdown(graceMs?: number): Promise<void>;
  /** Closes every connection now; in-flight requests are cut (a second SIGTERM does this). */
  closeNow(): void;
}

export interface StartOptions {
  readonly logger: Logger;
  /** The per-request access log (see createRootLogger); none when absent. */
  readonly accessLog?: AccessLogWriter | undefined;
  /** API definitions already loaded by the caller; read from `app_path` when absent. */
  readonly apis?: ApiLoadResult | undefined;
  /** Policies already loaded by the caller; read from the config's policy source when absent. */
  readonly policies?: PolicyLoadResult | undefined;
  /** Set by `hookgate start --workers N` in each worker; absent for a gateway on its own. */
  readonly role?: RuntimeRole | undefined;
}

/**
 * Opens storage, loads the API definitions (unless the caller already did), starts sidecars and
 * starts serving. Refused definitions are logged; the other APIs serve.
 */
export async function startGateway(config: GatewayConfig, options: StartOptions): Promise<RunningGateway> {
  const { logger } = options;
  let loaded = options.apis;
  if (loaded === undefined) {
    const bundleLog = logger.child({ component: 'bundles' });
    loaded = await loadApisWithCertificates(config, storageReader(config, logger), bundleLog);
  }
  const policies = options.policies ?? (await loadPolicies(config.policies));
  if (policies.errors.length > 0) throw policyLoadError(policies);
  const runtime = createRuntime(config, logger, loaded, options.accessLog, policies.policies, options.role);
  let shuttingDown = false;
  const deps = { ...runtime.handlerDeps, shuttingDown: () => shuttingDown };
  const ownControlPort = config.controlApiPort !== 0;
  const serverOptions = { limits: config.limits, errorSettings: config.errors, errors: deps.errors, log: new ThrottledLog(logger.child({ component: 'limits' })) };
  // HTTP/2 servers have no closeAllConnections: their sockets are tracked to close them at once.
  const openSockets = new Map<Server, Set<Socket>>();
  const serve = (handler: ReturnType<typeof createRequestHandler>, role: ListenerRole): Server => {
    if (!config.tls.enabled) return limitedServer(handler, serverOptions);
    const server = limitedServer(handler, serverOptions, { options: runtime.serverTls.serverOptions(role), http2: config.tls.http2 });
    runtime.serverTls.attach(server as unknown as TlsServer, role);
    if (config.tls.http2) {
      const sockets = new Set<Socket>();
      openSockets.set(server, sockets);
      server.on('secureConnection', (socket: Socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
    }
    return server;
  };
  const servers: Server[] = [serve(createRequestHandler({ ...deps, control: ownControlPort ? undefined : deps.control }), 'gateway')];
  if (ownControlPort) servers.push(serve(createRequestHandler({ ...deps, controlOnly: true }), 'control'));

  let info: AddressInfo;
  let controlInfo: AddressInfo | undefined;
  try {
    await runtime.start();
    info = await listen(servers[0] as Server, config.listen.address, config.listen.port);
    if (servers[1] !== undefined) controlInfo = await listen(servers[1], config.listen.address, config.controlApiPort);
  } catch (err) {
    for (const server of servers) server.close();
    runtime.abort();
    await runtime.close();
    throw err;
  }
  logger.info(
    { address: info.address, port: info.port, control_port: controlInfo?.port, tls: config.tls.enabled, apis: loaded.apis.length, refused: loaded.refused.length, storage: runtime.store.kind },
    'gateway listening',
  );

  let closing: Promise<void> | undefined;
  const closeNow = () => {
    for (const server of servers) {
      if (typeof server.closeAllConnections === 'function') server.closeAllConnections();
      else for (const socket of openSockets.get(server) ?? []) socket.destroy();
    }
    runtime.abort();
  };
  return {
    address: info.address,
    port: info.port,
    controlPort: controlInfo?.port,
    get apis() {
      return runtime.apis();
    },
    store: runtime.store,
    reload: runtime.reload,
    closeNow,
    shutdown(graceMs = config.shutdownGraceMs) {
      if (closing !== undefined) return closing;
      shuttingDown = true;
      logger.info({ grace_ms: graceMs }, 'shutting down: no new connections, waiting for in-flight requests');
      closing = (async () => {
        const force = setTimeout(() => {
          logger.warn('grace period over: closing the connections still open');
          closeNow();
        }, graceMs);
        await Promise.all(servers.map(closeServer));
        clearTimeout(force);
        await runtime.close();
        logger.info('gateway stopped');
      })();
      return closing;
    },
  };
}

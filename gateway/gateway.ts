import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiLoadContextOf, loadApiDefinitions, type ApiLoadResult, type ApiSpec } from './apidef/index.js';
import type { GatewayConfig } from './config/index.js';
import { createErrorResponder, HookgateError } from './errors/index.js';
import { buildRouter, createRequestHandler } from './http/index.js';
import { PluginClients, SidecarSupervisor, type ReadinessCheck } from '../coprocess/index.js';
import { ThrottledLog, type AccessLogWriter, type Logger } from './logging/index.js';
import { GatewayMetrics } from './metrics/index.js';
import { EventDispatcher } from './pipeline/index.js';
import { UpstreamProxy } from './proxy/index.js';
import { createStore, type Store } from './storage/index.js';

export interface RunningGateway {
  readonly address: string;
  readonly port: number;
  readonly apis: readonly ApiSpec[];
  readonly store: Store;
  /**
   * Stops accepting connections, lets in-flight requests finish for up to `graceMs` (default:
   * `graceful_shutdown_timeout_duration`), then closes what is left. Resolves when all is closed.
   */
  shutdown(graceMs?: number): Promise<void>;
  /** Closes every connection now; in-flight requests are cut (a second SIGTERM does this). */
  closeNow(): void;
}

/** Logs what loading the API definitions produced, one line per problem, naming the file. */
export function logApiLoad(result: ApiLoadResult, logger: Logger): void {
  for (const api of result.apis) {
    logger.info({ api_id: api.id, name: api.name, listen_path: api.listenPath, target: api.target.origin + api.target.basePath, file: api.file }, 'API loaded');
  }
  for (const file of result.inactive) logger.info({ file }, 'API definition is inactive ("active": false); not loaded');
  for (const { file, problem } of result.warnings) logger.warn({ file, field: problem.path }, problem.message);
  for (const refused of result.refused) {
    for (const problem of refused.errors) {
      logger.error({ file: refused.file, api_id: refused.apiId, field: problem.path }, `API refused: ${problem.message}`);
    }
  }
}

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

function listen(server: Server, address: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const where = `${address === '' ? '*' : address}:${port}`;
      const reason = err.code === 'EADDRINUSE' ? 'the port is already in use' : err.code === 'EACCES' ? 'permission denied' : err.message;
      reject(new HookgateError('HG_ERR_LISTEN_FAILED', `cannot listen on ${where}: ${reason}`, { cause: err }));
    };
    server.once('error', onError);
    server.listen({ port, ...(address === '' ? {} : { host: address }) }, () => {
      server.removeListener('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

export interface StartOptions {
  readonly logger: Logger;
  /** The per-request access log (see createRootLogger); none when absent. */
  readonly accessLog?: AccessLogWriter | undefined;
  /** API definitions already loaded by the caller; read from `app_path` when absent. */
  readonly apis?: ApiLoadResult | undefined;
}

/**
 * Opens storage, loads the API definitions (unless the caller already did) and starts serving.
 * Refused definitions are logged; the other APIs serve.
 */
export async function startGateway(config: GatewayConfig, options: StartOptions): Promise<RunningGateway> {
  const { logger } = options;
  const loaded = options.apis ?? (await loadApiDefinitions(config.appPath, apiLoadContextOf(config)));
  logApiLoad(loaded, logger.child({ component: 'apis' }));
  const store = createStore(config.storage, logger);
  const router = buildRouter(loaded.apis, loaded.refused);

  const proxy = new UpstreamProxy(config.proxy);
  const metrics = new GatewayMetrics();
  const { coprocess } = config;
  const sidecars = coprocess.sidecars.length === 0 ? undefined : new SidecarSupervisor(coprocess.sidecars, logger);
  const clients = new PluginClients(
    { recvMaxBytes: coprocess.recvMaxBytes, sendMaxBytes: coprocess.sendMaxBytes, authority: coprocess.authority, roundRobin: coprocess.roundRobin },
    (target) => (sidecars === undefined ? undefined : sidecarReadiness(sidecars, target)),
  );
  const hookLog = new ThrottledLog(logger.child({ component: 'hooks' }));
  const errors = createErrorResponder(config.errors);
  if (sidecars !== undefined) {
    sidecars.on('restart', (name) => metrics.sidecarRestarted(name));
    sidecars.on('ready', (name) => metrics.sidecarReady(name, true));
    sidecars.on('exit', (name) => metrics.sidecarReady(name, false));
    // Traffic starts once every sidecar is ready or its first start failed; a failed one keeps
    // restarting in the background and its hooks fail closed until it is ready.
    await sidecars.start();
  }
  let shuttingDown = false;
  const handler = createRequestHandler({
    config,
    logger,
    accessLog: options.accessLog,
    errors,
    store,
    metrics,
    sidecars,
    pipeline: {
      proxy,
      proxyLog: logger.child({ component: 'proxy' }),
      errors,
      clients,
      events: new EventDispatcher(clients, hookLog, coprocess.dispatchTimeoutMs),
      metrics,
      log: hookLog,
      sendMaxBytes: coprocess.sendMaxBytes,
    },
    routes: () => router,
    shuttingDown: () => shuttingDown,
  });
  const server = createServer(handler);
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Malformed requests get a bare 400 from Node's parser state; nothing reaches the pipeline.
    if (socket.writable && err.code !== 'ECONNRESET') socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  let info: AddressInfo;
  try {
    info = await listen(server, config.listen.address, config.listen.port);
  } catch (err) {
    await Promise.allSettled([proxy.destroy(), store.close(), sidecars?.stop()]);
    clients.closeAll();
    throw err;
  }
  logger.info({ address: info.address, port: info.port, apis: loaded.apis.length, refused: loaded.refused.length, storage: store.kind }, 'gateway listening');

  let closing: Promise<void> | undefined;
  const closeNow = () => {
    server.closeAllConnections();
    void proxy.destroy();
  };
  return {
    closeNow,
    address: info.address,
    port: info.port,
    apis: loaded.apis,
    store,
    shutdown(graceMs = config.shutdownGraceMs) {
      if (closing !== undefined) return closing;
      shuttingDown = true;
      logger.info({ grace_ms: graceMs }, 'shutting down: no new connections, waiting for in-flight requests');
      closing = (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => {
          logger.warn('grace period over: closing the connections still open');
          closeNow();
        }, graceMs);
        await closed;
        clearTimeout(force);
        // Sidecars stop last: in-flight requests needed them until now.
        await Promise.allSettled([proxy.close(), store.close(), sidecars?.stop()]);
        clients.closeAll();
        logger.info('gateway stopped');
      })();
      return closing;
    },
  };
}

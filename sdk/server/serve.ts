import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { SdkError } from '../errors.js';
import { createPluginLogger, defaultLogLevel } from '../logger.js';
import type { Plugin } from '../plugin.js';
import { inHookWorker } from '../threads/worker-flag.js';
import { boundAddress, defaultAddress, parseAddress, removeStaleSocket } from './address.js';
import { handleSignals, shutdownServer } from './shutdown.js';

export interface ServeOptions {
  /**
   * `host:port` (port 0: a free port, reported in `server.address`), `tcp://host:port` or
   * `unix:///path`. Default: `HOOKGATE_PLUGIN_ADDRESS`, else `127.0.0.1:5555`.
   */
  readonly address?: string;
  /**
   * Run hooks on worker threads: a count, or `true` for one per core. Needs
   * `definePlugin({ module: import.meta.url })`. Events stay on the server thread.
   */
  readonly threads?: number | boolean;
  /** Your pino logger; otherwise JSON lines on standard output at `logLevel`. */
  readonly logger?: Logger;
  /** Default: `HOOKGATE_LOG_LEVEL`, else `info`. */
  readonly logLevel?: string;
  /** On SIGTERM or SIGINT: stop taking calls, let calls in flight finish, exit 0. Default true. */
  readonly signals?: boolean;
  /** How long calls in flight get on shutdown before they are cut. Default 3000 ms. */
  readonly shutdownGraceMs?: number;
  /** Caps every hook call, also those without a gRPC deadline (Tyk sets none). Default: none. */
  readonly hookTimeoutMs?: number;
  /** Called once the server accepts calls. */
  readonly onReady?: (server: PluginServer) => void;
  /** Also print `hookgate plugin ready <address>` on standard output, for scripts. */
  readonly printReady?: boolean;
  /** Largest call accepted (default 4 MiB, gRPC's); a larger body fails the call. */
  readonly maxReceiveMessageBytes?: number;
  /** Largest reply sent (default 4 MiB, which is also what Tyk's client accepts). */
  readonly maxSendMessageBytes?: number;
}

/** A running plugin server. */
export interface PluginServer {
  /** Where it listens: `127.0.0.1:40123` (the real port) or `unix:///run/plugin.sock`. */
  readonly address: string;
  /** The TCP port, or undefined on a unix socket. */
  readonly port: number | undefined;
  /** Worker threads running hooks; 0 when they run on the server thread. */
  readonly threads: number;
  readonly logger: Logger;
  /** Stops taking calls, lets calls in flight finish for `graceMs` (default: shutdownGraceMs), then cuts them. */
  close(options?: { readonly graceMs?: number }): Promise<void>;
  /** Resolves once the server has stopped. */
  readonly closed: Promise<void>;
}

const DEFAULT_SHUTDOWN_GRACE_MS = 3000;
const FOUR_MIB = 4 * 1024 * 1024;

function threadCount(threads: number | boolean | undefined): number {
  if (threads === undefined || threads === false) return 0;
  if (threads === true) return availableParallelism();
  if (!Number.isInteger(threads) || threads < 0 || threads > 1024) {
    throw new SdkError('HG_ERR_SDK_SERVE_FAILED', `threads must be true, false or a whole number from 0 to 1024, got ${String(threads)}`);
  }
  return threads;
}

function positive(value: number | undefined, name: string): number | undefined {
  if (value !== undefined && (!Number.isFinite(value) || value <= 0)) throw new SdkError('HG_ERR_SDK_SERVE_FAILED', `${name} must be a positive number, got ${String(value)}`);
  return value;
}

/**
 * Serves a plugin to a gateway over gRPC (`coprocess.Dispatcher`: Dispatch and DispatchEvent), the
 * protocol Hookgate and Tyk both speak. Resolves once it accepts calls.
 *
 * @example
 * import { plugin } from './plugin.js';
 * const server = await serve(plugin, { address: '127.0.0.1:5555' });
 * console.log(`serving on ${server.address}`);
 *
 * @example
 * // CPU-heavy hooks on every core, on a unix socket:
 * await serve(plugin, { address: 'unix:///run/hookgate/auth.sock', threads: true });
 */
export async function serve<C>(plugin: Plugin<C>, options: ServeOptions = {}): Promise<PluginServer> {
  const logLevel = options.logLevel ?? defaultLogLevel();
  const log = options.logger ?? createPluginLogger(plugin.name, logLevel);
  // A module imported by a hook worker may call serve() at its top level (a one-file plugin):
  // the worker needs the plugin, not a second server.
  if (inHookWorker()) return idleServer(log);

  const address = parseAddress(options.address ?? defaultAddress());
  const threads = threadCount(options.threads);
  const hookTimeoutMs = positive(options.hookTimeoutMs, 'hookTimeoutMs');
  const graceMs = positive(options.shutdownGraceMs, 'shutdownGraceMs') ?? DEFAULT_SHUTDOWN_GRACE_MS;
  // Loaded here, not at the top: a plugin module imports this file too, and so does every hook
  // worker thread, which needs neither gRPC nor a pool (~100 ms of CPU saved per worker).
  const [{ Server, ServerCredentials }, { DISPATCHER_SERVICE, dispatcherHandlers }] = await Promise.all([import('@grpc/grpc-js'), import('./handlers.js')]);
  const pool = threads > 0 ? await (await import('../threads/pool.js')).HookPool.start(plugin, { threads, logLevel, log }) : undefined;

  const grpcServer = new Server({
    'grpc.max_receive_message_length': positive(options.maxReceiveMessageBytes, 'maxReceiveMessageBytes') ?? FOUR_MIB,
    'grpc.max_send_message_length': positive(options.maxSendMessageBytes, 'maxSendMessageBytes') ?? FOUR_MIB,
  });
  const inFlight = { count: 0 };
  grpcServer.addService(DISPATCHER_SERVICE, dispatcherHandlers({ plugin, pool, log, hookTimeoutMs, inFlight }));

  let port: number;
  try {
    if (address.kind === 'unix') await removeStaleSocket(address.path);
    port = await new Promise<number>((resolve, reject) => {
      grpcServer.bindAsync(address.target, ServerCredentials.createInsecure(), (err, bound) => (err === null ? resolve(bound) : reject(err)));
    });
  } catch (err) {
    grpcServer.forceShutdown();
    await pool?.close();
    throw new SdkError('HG_ERR_SDK_SERVE_FAILED', `cannot listen on ${address.target}: ${(err as Error).message}`, { cause: err });
  }

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  let stopSignals = () => {};
  const server: PluginServer = {
    address: boundAddress(address, port),
    port: address.kind === 'tcp' ? port : undefined,
    threads,
    logger: log,
    closed,
    close(closeOptions = {}) {
      closing ??= (async () => {
        stopSignals();
        log.info({ in_flight: inFlight.count }, 'plugin server stopping');
        const forced = await shutdownServer(grpcServer, closeOptions.graceMs ?? graceMs);
        await pool?.close();
        log.info({ forced }, 'plugin server stopped');
        resolveClosed();
      })();
      return closing;
    },
  };
  if (options.signals !== false) stopSignals = handleSignals(server, log);
  log.info({ address: server.address, port: server.port, threads, hooks: plugin.hooks, events: plugin.events }, 'plugin server ready');
  if (options.printReady === true) process.stdout.write(`hookgate plugin ready ${server.address}\n`);
  options.onReady?.(server);
  return server;
}

function idleServer(log: Logger): PluginServer {
  log.debug('serve() called inside a hook worker thread: no server started there');
  return { address: '(hook worker thread)', port: undefined, threads: 0, logger: log, close: () => Promise.resolve(), closed: new Promise<void>(() => {}) };
}

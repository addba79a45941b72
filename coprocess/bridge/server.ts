import { Metadata, Server, ServerCredentials, type handleUnaryCall, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition } from '@grpc/grpc-js';
import type { Logger } from '../../gateway/logging/index.js';
import { boundAddress, parseAddress, removeStaleSocket, shutdownServer } from '../../sdk/server/index.js';
import { DISPATCH_EVENT_PATH, DISPATCH_PATH, EMPTY_EVENT_REPLY } from '../protocol/index.js';
import type { PluginData } from './data.js';
import { BridgeError } from './errors.js';
import type { ReadyMessage } from './messages.js';
import { WorkerPool } from './pool.js';
import { eventPayload, objectFromWire, objectToWire } from './wire.js';
import { workerHost } from './worker-host.js';

export interface BridgeOptions {
  readonly bundleDir: string;
  /** `host:port` (port 0: a free one), `tcp://host:port` or `unix:///path`. */
  readonly listen: string;
  /** The plugin's name in log lines (the bundle's name). */
  readonly name: string;
  readonly workers: number;
  readonly python: string;
  /** Folders appended to the workers' sys.path. */
  readonly paths: readonly string[];
  /** Caps calls that come without a gRPC deadline (Tyk sends none). */
  readonly callTimeoutMs: number;
  readonly startTimeoutMs: number;
  readonly maxMessageBytes: number;
  readonly logger: Logger;
  readonly data: PluginData;
}

export interface RunningBridge {
  readonly address: string;
  readonly port: number | undefined;
  readonly ready: ReadyMessage;
  readonly pool: WorkerPool;
  /** Stops taking calls, lets calls in flight finish for `graceMs`, then stops the workers. */
  close(graceMs: number): Promise<void>;
}

const bytes = (value: Buffer): Buffer => value;
const method = (path: string) =>
  ({ path, requestStream: false, responseStream: false, requestSerialize: bytes, requestDeserialize: bytes, responseSerialize: bytes, responseDeserialize: bytes }) as const;
const SERVICE: ServiceDefinition = { Dispatch: method(DISPATCH_PATH), DispatchEvent: method(DISPATCH_EVENT_PATH) };

const deadlineOf = (call: ServerUnaryCall<Buffer, Buffer>): number | undefined => {
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? ms : undefined;
};

function failure(err: unknown): BridgeError {
  return err instanceof BridgeError ? err : new BridgeError('invalid', err instanceof Error ? err.message : String(err));
}

function logFailure(log: Logger, what: string, err: BridgeError): void {
  const fields = { call: what, failure: err.failure, err: err.message, ...(err.details.trace ? { traceback: err.details.trace } : {}) };
  if (err.failure === 'deadline' || err.failure === 'closed') log.warn(fields, err.message);
  else log.error(fields, err.message);
}

function reply(callback: sendUnaryData<Buffer>, err: BridgeError): void {
  const metadata = new Metadata();
  metadata.set('hookgate-bridge-failure', err.failure);
  callback({ code: err.grpcStatus, details: err.message, metadata });
}

/**
 * The Python bridge: a coprocess plugin server (Dispatch, DispatchEvent) whose hooks run in a pool
 * of Python workers that load one bundle. Resolves once every worker has loaded the bundle and
 * the server listens; rejects with a `load` BridgeError when the bundle cannot be loaded.
 */
export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const log = options.logger;
  const pluginLog = log.child({ component: 'python' });
  const bridgeLog = log.child({ component: 'python-bridge' });
  const pool = new WorkerPool({
    size: options.workers,
    python: options.python,
    bundleDir: options.bundleDir,
    paths: options.paths,
    callTimeoutMs: options.callTimeoutMs,
    startTimeoutMs: options.startTimeoutMs,
    log: bridgeLog,
    pluginLog,
    host: workerHost(options.data, pluginLog, bridgeLog),
  });
  const ready = await pool.start();

  const dispatch: handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    let object;
    try {
      object = objectToWire(call.request);
    } catch (err) {
      reply(callback, new BridgeError('invalid', `the request is not a coprocess Object: ${failure(err).message}`));
      return;
    }
    const hook = typeof object['hook_name'] === 'string' ? object['hook_name'] : '';
    pool.dispatch(object, deadlineOf(call)).then(
      (result) => {
        let encoded: Buffer;
        try {
          encoded = objectFromWire(result);
        } catch (err) {
          const bad = new BridgeError('invalid', `hook ${JSON.stringify(hook)} returned an Object that cannot be encoded: ${failure(err).message}`);
          logFailure(bridgeLog.child({ hook }), `hook ${hook}`, bad);
          reply(callback, bad);
          return;
        }
        callback(null, encoded);
      },
      (err: unknown) => {
        const bad = failure(err);
        logFailure(bridgeLog.child({ hook }), `hook ${hook}`, bad);
        reply(callback, bad);
      },
    );
  };

  const dispatchEvent: handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    let payload: string;
    let handler: string;
    try {
      payload = eventPayload(call.request);
      const parsed = JSON.parse(payload) as { handler_name?: unknown };
      handler = typeof parsed.handler_name === 'string' ? parsed.handler_name : '';
    } catch (err) {
      reply(callback, new BridgeError('invalid', `the request is not a coprocess Event with a JSON payload: ${failure(err).message}`));
      return;
    }
    pool.event(handler, payload, deadlineOf(call)).then(
      () => callback(null, EMPTY_EVENT_REPLY),
      (err: unknown) => {
        const bad = failure(err);
        logFailure(bridgeLog.child({ hook: handler }), `event handler ${handler}`, bad);
        reply(callback, bad);
      },
    );
  };

  const server = new Server({ 'grpc.max_receive_message_length': options.maxMessageBytes, 'grpc.max_send_message_length': options.maxMessageBytes });
  server.addService(SERVICE, { Dispatch: dispatch, DispatchEvent: dispatchEvent });
  const address = parseAddress(options.listen);
  let port: number;
  try {
    if (address.kind === 'unix') await removeStaleSocket(address.path);
    port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(address.target, ServerCredentials.createInsecure(), (err, bound) => (err === null ? resolve(bound) : reject(err)));
    });
  } catch (err) {
    server.forceShutdown();
    await pool.close(0);
    throw new BridgeError('start', `cannot listen on ${options.listen}: ${failure(err).message}`);
  }
  let closing: Promise<void> | undefined;
  return {
    address: boundAddress(address, port),
    port: address.kind === 'tcp' ? port : undefined,
    ready,
    pool,
    close(graceMs) {
      closing ??= shutdownServer(server, graceMs).then(() => pool.close(graceMs));
      return closing;
    },
  };
}

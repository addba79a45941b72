/**
 * Calls a plugin over the real wire with a plain grpc-js client built from proto/ by
 * @grpc/proto-loader, the way any gateway would, and independently of the codec the server uses:
 * an encoding mistake on either side shows up in the test.
 */
import { credentials, loadPackageDefinition, Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { pino } from 'pino';
import {
  PROTO_ENTRY,
  PROTO_LOADER_OPTIONS,
  type CoprocessObject,
  type CoprocessObject__Output,
  type DispatcherClient,
  type ProtoGrpcType,
} from '../../coprocess/protocol/index.js';
import { ERROR_CODE_METADATA_KEY, SDK_ERRORS, type SdkErrorCode } from '../errors.js';
import type { HookKind } from '../hook-types.js';
import type { Plugin } from '../plugin.js';
import { serve, type PluginServer, type ServeOptions } from '../server/serve.js';
import { DEFAULT_CALL_TIMEOUT_MS, eventPayload, PluginCallError, type CallOptions, type PluginClient } from './client.js';
import { hookRequest, type RequestBuilder } from './request-builder.js';
import { evaluateReply } from './result.js';

let protoPackage: ProtoGrpcType | undefined;

/**
 * A `coprocess.Dispatcher` client for `address` (`host:port` or `unix:///path`), from proto/ only.
 *
 * @example
 * const client = dispatcherClient('127.0.0.1:5555');
 * client.Dispatch(object, { deadline: Date.now() + 1000 }, (err, reply) => { ... });
 */
export function dispatcherClient(address: string): DispatcherClient {
  protoPackage ??= loadPackageDefinition(loadSync(PROTO_ENTRY, PROTO_LOADER_OPTIONS)) as unknown as ProtoGrpcType;
  return new protoPackage.coprocess.Dispatcher(address.replace(/^tcp:\/\//, ''), credentials.createInsecure());
}

function callError(err: ServiceError, kind: HookKind | undefined): PluginCallError {
  const code = err.metadata?.get(ERROR_CODE_METADATA_KEY)[0];
  const sdkCode = typeof code === 'string' && Object.hasOwn(SDK_ERRORS, code) ? (code as SdkErrorCode) : undefined;
  return new PluginCallError(err.details, err.code, sdkCode, kind, { cause: err });
}

export interface ConnectOptions {
  /** The plugin served there, so `call` knows each hook's kind; otherwise pass `kind` per call. */
  readonly plugin?: { hook(name: string): { readonly kind: HookKind } | undefined };
  /** Also closed by `close()`. */
  readonly server?: PluginServer;
}

/**
 * A client for a plugin server that is already running (any language).
 *
 * @example
 * const client = connect('127.0.0.1:5555');
 * const result = await client.call('MyAuthMiddleware', hookRequest().header('Authorization', KEY), { kind: 'auth_check' });
 */
export function connect(address: string, options: ConnectOptions = {}): PluginClient {
  const client = dispatcherClient(address);
  const deadline = (timeoutMs = DEFAULT_CALL_TIMEOUT_MS) => ({ deadline: Date.now() + timeoutMs });

  const dispatch = (object: CoprocessObject, timeoutMs: number | undefined, kind: HookKind | undefined) =>
    new Promise<CoprocessObject__Output>((resolve, reject) => {
      client.Dispatch(object, new Metadata(), deadline(timeoutMs), (err, reply) => {
        if (err !== null) reject(callError(err, kind));
        else if (reply === undefined) reject(new PluginCallError('the server sent no reply', 13, undefined, kind));
        else resolve(reply);
      });
    });

  return {
    target: address,
    async call(hookName, request: RequestBuilder = hookRequest(), callOptions: CallOptions = {}) {
      const kind = callOptions.kind ?? options.plugin?.hook(hookName)?.kind;
      const object = request.build(hookName, kind);
      const reply = await dispatch(object, callOptions.timeoutMs, kind);
      return evaluateReply(reply, kind ?? 'pre', Buffer.from(object.request?.raw_body ?? Buffer.alloc(0)));
    },
    dispatch: (object, dispatchOptions = {}) => dispatch(object, dispatchOptions.timeoutMs, undefined),
    event: (handlerName, event, eventOptions = {}) =>
      new Promise<void>((resolve, reject) => {
        client.DispatchEvent({ payload: eventPayload(handlerName, event) }, new Metadata(), deadline(eventOptions.timeoutMs), (err) => {
          if (err !== null) reject(callError(err, undefined));
          else resolve();
        });
      }),
    async close() {
      client.close();
      await options.server?.close({ graceMs: 1000 });
    },
  };
}

/**
 * Serves the plugin on an ephemeral port (`127.0.0.1:0`) with the real `serve()` and returns a
 * client calling it over gRPC. `close()` stops both. Logs go nowhere unless you pass a logger.
 *
 * @example
 * const client = await overWire(plugin);
 * try {
 *   const result = await client.call('AddHelloHeader', hookRequest().get('/my-api/'));
 *   assert.equal(result.request.header('X-Hello'), 'world');
 * } finally {
 *   await client.close();
 * }
 */
export async function overWire<C>(plugin: Plugin<C>, options: Omit<ServeOptions, 'signals'> = {}): Promise<PluginClient & { readonly server: PluginServer }> {
  const server = await serve(plugin, { address: '127.0.0.1:0', logger: pino({ level: 'silent' }), ...options, signals: false });
  return { ...connect(server.address, { plugin, server }), server };
}

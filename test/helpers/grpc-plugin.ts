import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { PROTO_DIR, PROTO_ENTRY } from '../../coprocess/protocol/options.js';
import type { CoprocessObject__Output } from '../../coprocess/protocol/index.js';

/**
 * A plugin server written directly on @grpc/grpc-js and proto/, as a Tyk user would write one
 * (not on Hookgate's codec or SDK): the conformance tests' independent peer. Loaded with
 * proto-loader's own option style (defaults on, enums as names) like Tyk's Node examples.
 */
const definition = protoLoader.loadSync(join(PROTO_DIR, PROTO_ENTRY), {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  includeDirs: [PROTO_DIR],
});
const coprocess = (grpc.loadPackageDefinition(definition) as unknown as { coprocess: { Dispatcher: grpc.ServiceClientConstructor } }).coprocess;

/** Gets the received Object (mutable) and returns the reply; may be async; may throw. */
export type HookHandler = (object: CoprocessObject__Output, call: grpc.ServerUnaryCall<CoprocessObject__Output, unknown>) => unknown;

export interface GrpcPlugin {
  readonly address: string;
  readonly port: number;
  /** Every Object received, in order. */
  readonly received: CoprocessObject__Output[];
  /** gRPC metadata, deadline and :authority of every Dispatch call, in order. */
  readonly calls: { metadata: Record<string, string>; deadline: number | undefined; authority: string }[];
  /** Every DispatchEvent payload, in order. */
  readonly events: string[];
  handle(hookName: string, handler: HookHandler): void;
  stop(): Promise<void>;
}

/**
 * Starts the server on an ephemeral loopback port (or `bind`, e.g. `unix:///path`). Hooks without
 * a handler echo the Object.
 */
export async function startGrpcPlugin(handlers: Record<string, HookHandler> = {}, options: grpc.ServerOptions = {}, bind = '127.0.0.1:0'): Promise<GrpcPlugin> {
  const table = new Map(Object.entries(handlers));
  const received: CoprocessObject__Output[] = [];
  const calls: GrpcPlugin['calls'] = [];
  const events: string[] = [];
  const server = new grpc.Server(options);
  server.addService(coprocess.Dispatcher.service, {
    Dispatch: (call: grpc.ServerUnaryCall<CoprocessObject__Output, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const object = call.request;
      received.push(structuredClone(object));
      const metadata: Record<string, string> = {};
      for (const [key, value] of Object.entries(call.metadata.getMap())) metadata[key] = String(value);
      const deadline = call.getDeadline();
      calls.push({ metadata, deadline: deadline instanceof Date ? deadline.getTime() : deadline === Infinity ? undefined : Number(deadline), authority: call.getHost() });
      const handler = table.get(object.hook_name);
      Promise.resolve()
        .then(() => (handler === undefined ? object : handler(object, call)))
        .then(
          (reply) => callback(null, reply),
          (err: unknown) => {
            const code = (err as { code?: number }).code;
            callback({ code: typeof code === 'number' ? code : grpc.status.UNKNOWN, details: err instanceof Error ? err.message : String(err) });
          },
        );
    },
    DispatchEvent: (call: grpc.ServerUnaryCall<{ payload: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      events.push(call.request.payload);
      callback(null, {});
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(bind, grpc.ServerCredentials.createInsecure(), (err, bound) => (err === null ? resolve(bound) : reject(err)));
  });
  return {
    address: bind.startsWith('unix:') ? bind : `127.0.0.1:${port}`,
    port,
    received,
    calls,
    events,
    handle: (name, handler) => table.set(name, handler),
    stop: () =>
      new Promise((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000).unref();
      }),
  };
}

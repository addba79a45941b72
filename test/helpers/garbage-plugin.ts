import * as grpc from '@grpc/grpc-js';
import { createServer as createH2Server, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { PROTO_DIR, PROTO_ENTRY } from '../../coprocess/protocol/options.js';

/** Tyk's coprocess.Object, read straight from proto/ with protobufjs (independent of Hookgate's codec). */
export const ObjectType = protobuf.loadSync(join(PROTO_DIR, PROTO_ENTRY)).lookupType('coprocess.Object');

/** Encodes a plain object as a coprocess.Object message. */
export function encodeObject(value: Record<string, unknown>): Buffer {
  return Buffer.from(ObjectType.encode(ObjectType.fromObject(value)).finish());
}

/** Decodes bytes as a coprocess.Object, or undefined when they are not one. */
export function decodeObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    return ObjectType.toObject(ObjectType.decode(bytes), { defaults: true }) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * A Dispatcher whose Dispatch reply is whatever bytes `reply` holds: a valid gRPC frame around
 * a message that need not be a coprocess.Object. grpc-js serves it, with identity serializers.
 */
export async function startBytesPlugin(): Promise<{ address: string; reply: { bytes: Buffer }; calls: () => number; stop(): Promise<void> }> {
  const reply = { bytes: Buffer.alloc(0) };
  let calls = 0;
  const raw = (path: string) => ({
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  });
  const server = new grpc.Server();
  server.addService({ Dispatch: raw('/coprocess.Dispatcher/Dispatch'), DispatchEvent: raw('/coprocess.Dispatcher/DispatchEvent') }, {
    Dispatch: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      calls++;
      callback(null, reply.bytes);
    },
    DispatchEvent: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, Buffer.alloc(0)),
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err === null ? resolve(p) : reject(err))));
  return {
    address: `127.0.0.1:${port}`,
    reply,
    calls: () => calls,
    stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

/** What the raw HTTP/2 plugin answers: status and headers, body bytes, trailers, or a reset. */
export interface FrameReply {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: Buffer;
  /** undefined: no trailers at all. */
  readonly grpcStatus: string | undefined;
  readonly grpcMessage: string;
  /** Reset the stream after the body instead of ending it. */
  readonly reset: boolean;
}

/** A bare HTTP/2 server that answers every call with `reply`: framing garbage grpc-js cannot hide. */
export async function startFramePlugin(): Promise<{ address: string; reply: { value: FrameReply }; stop(): Promise<void> }> {
  const reply: { value: FrameReply } = { value: { status: 200, contentType: 'application/grpc', body: Buffer.alloc(0), grpcStatus: '0', grpcMessage: '', reset: false } };
  const server: Http2Server = createH2Server();
  server.on('stream', (stream: ServerHttp2Stream) => {
    stream.on('error', () => undefined);
    stream.resume();
    const r = reply.value;
    const headers: Record<string, string | number> = { ':status': r.status };
    if (r.contentType !== undefined) headers['content-type'] = r.contentType;
    try {
      stream.respond(headers, { waitForTrailers: r.grpcStatus !== undefined && !r.reset });
      if (r.grpcStatus !== undefined && !r.reset) {
        stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': r.grpcStatus as string, 'grpc-message': encodeURIComponent(r.grpcMessage) }));
      }
      if (r.reset) {
        stream.write(r.body);
        stream.close(2);
      } else stream.end(r.body);
    } catch {
      stream.destroy();
    }
  });
  server.on('sessionError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    reply,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        setTimeout(resolve, 1000).unref();
      }),
  };
}

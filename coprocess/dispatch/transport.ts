import * as grpc from '@grpc/grpc-js';
import { statusError } from './errors.js';

/** What an Object travels on. One per plugin server target. */
export interface DispatchTransport {
  /** Sends one unary call with encoded bytes and resolves with the reply's bytes. */
  unary(path: string, request: Buffer, deadlineMs: number, metadata: Readonly<Record<string, string>> | undefined): Promise<Buffer>;
  close(): void;
}

export interface TransportOptions {
  readonly recvMaxBytes: number;
  readonly sendMaxBytes: number;
  /** `:authority` override (Tyk's grpc_authority); "" keeps the default. */
  readonly authority: string;
  /** Round robin over a dns:/// target's addresses (always for dns:///; Tyk's flag otherwise). */
  readonly roundRobin: boolean;
}

const passthrough = (bytes: Buffer): Buffer => bytes;

/** @grpc/grpc-js: the reference transport, and the one that handles every target form. */
export class GrpcJsTransport implements DispatchTransport {
  private readonly client: grpc.Client;

  constructor(readonly target: string, options: TransportOptions) {
    const channelOptions: grpc.ChannelOptions = {
      'grpc.max_receive_message_length': options.recvMaxBytes,
      'grpc.max_send_message_length': options.sendMaxBytes,
      'grpc.enable_retries': 0,
    };
    if (options.authority !== '') channelOptions['grpc.default_authority'] = options.authority;
    if (options.roundRobin || target.startsWith('dns:')) {
      channelOptions['grpc.service_config'] = JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] });
    }
    this.client = new grpc.Client(target, grpc.credentials.createInsecure(), channelOptions);
  }

  unary(path: string, request: Buffer, deadlineMs: number, metadata: Readonly<Record<string, string>> | undefined): Promise<Buffer> {
    const md = new grpc.Metadata();
    if (metadata !== undefined) for (const [key, value] of Object.entries(metadata)) md.set(key, value);
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(path, passthrough, passthrough, request, md, { deadline: Date.now() + deadlineMs }, (err, reply) => {
        if (err === null && reply !== undefined) {
          resolve(reply);
          return;
        }
        reject(statusError(err?.code ?? grpc.status.UNKNOWN, err?.details ?? 'no reply', this.target, deadlineMs, err));
      });
    });
  }

  close(): void {
    this.client.close();
  }
}

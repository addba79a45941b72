import { decodeAppliedReply, DISPATCH_EVENT_PATH, DISPATCH_PATH, encodeEvent, encodeObject, encodeObjectFast, type CoprocessObject, type CoprocessObject__Output } from '../protocol/index.js';
import { DispatchError } from './errors.js';
import { GrpcJsTransport, type DispatchTransport, type TransportOptions } from './transport.js';

/** Whether the plugin server behind a target may be called now (sidecars are not ready while starting). */
export type ReadinessCheck = () => { readonly ready: true } | { readonly ready: false; readonly reason: string };

const ALWAYS_READY: ReadinessCheck = () => ({ ready: true });

/** Calls one plugin server: encodes, checks sizes, applies the deadline, decodes. */
export class PluginClient {
  constructor(
    readonly target: string,
    private readonly transport: DispatchTransport,
    private readonly sendMaxBytes: number,
    private readonly readiness: ReadinessCheck = ALWAYS_READY,
  ) {}

  /**
   * Throws DispatchError, never anything else. The reply holds the fields the gateway applies;
   * the ones it never reads (UNAPPLIED_REPLY_FIELDS: hook name and type, spec, the request's and
   * response's read-only views) are left at their defaults without being decoded.
   */
  async dispatch(object: CoprocessObject, deadlineMs: number, metadata?: Readonly<Record<string, string>>): Promise<CoprocessObject__Output> {
    const state = this.readiness();
    if (!state.ready) throw new DispatchError('not_ready', state.reason);
    let bytes: Buffer;
    try {
      bytes = encodeObjectFast(object) ?? encodeObject(object);
    } catch (err) {
      throw new DispatchError('status', `the Object could not be encoded: ${String(err)}`, undefined, { cause: err });
    }
    if (bytes.length > this.sendMaxBytes) {
      throw new DispatchError('too_large', `the Object is ${bytes.length} bytes, over grpc_send_max_size (${this.sendMaxBytes})`);
    }
    const reply = await this.transport.unary(DISPATCH_PATH, bytes, deadlineMs, metadata);
    try {
      return decodeAppliedReply(reply);
    } catch (err) {
      throw new DispatchError('decode', `the reply is not a coprocess Object: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
    }
  }

  async dispatchEvent(payload: string, deadlineMs: number): Promise<void> {
    const state = this.readiness();
    if (!state.ready) throw new DispatchError('not_ready', state.reason);
    await this.transport.unary(DISPATCH_EVENT_PATH, encodeEvent({ payload }), deadlineMs, undefined);
  }

  close(): void {
    this.transport.close();
  }
}

/** One client per plugin server target, shared by every API and hook that uses it. */
export class PluginClients {
  private readonly clients = new Map<string, PluginClient>();

  constructor(
    private readonly options: TransportOptions,
    /** The readiness of a target's sidecar, if a sidecar serves it. */
    private readonly readinessOf: (target: string) => ReadinessCheck | undefined = () => undefined,
    private readonly transportFor: (target: string, options: TransportOptions) => DispatchTransport = (t, o) => new GrpcJsTransport(t, o),
  ) {}

  get(target: string): PluginClient {
    let client = this.clients.get(target);
    if (client === undefined) {
      client = new PluginClient(target, this.transportFor(target, this.options), this.options.sendMaxBytes, this.readinessOf(target));
      this.clients.set(target, client);
    }
    return client;
  }

  closeAll(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}

import { connect, type Socket } from 'node:net';
import type { DestinationStream } from 'pino';
import { PLUGIN_DATA_TIMEOUT_MS, type PluginData } from './data.js';
import { encodeFrame, FrameReader } from './frames.js';
import { isFromGateway, type DataMessage, type ToGateway } from './messages.js';

/** Environment variable that gives a bridge the gateway's link socket. */
export const LINK_ENV = 'HOOKGATE_BRIDGE_LINK';

/**
 * The bridge's end of the link to the gateway that launched it: plugin data in the gateway's
 * storage, and the bridge's log lines into the gateway's log. Losing the link means the gateway
 * is gone: `onClosed` runs (the bridge then exits).
 */
export class LinkClient implements PluginData {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: DataMessage) => void>();

  private constructor(private readonly socket: Socket) {
    const reader = new FrameReader(
      (message) => {
        if (!isFromGateway(message)) return;
        const resolve = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        resolve?.(message);
      },
      () => socket.destroy(),
    );
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
  }

  static connect(path: string, bundle: string, onClosed: () => void): Promise<LinkClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        socket.on('error', () => undefined);
        socket.once('close', onClosed);
        const client = new LinkClient(socket);
        client.send({ type: 'hello', bundle, pid: process.pid });
        resolve(client);
      });
    });
  }

  get(key: string): Promise<string | null> {
    return this.ask({ type: 'data_get', id: this.nextId++, key }).then((reply) => reply.value ?? null);
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    return this.ask({ type: 'data_set', id: this.nextId++, key, value, ttl: ttlSeconds }).then(() => undefined);
  }

  /** A pino destination: each line goes to the gateway's log. */
  logDestination(): DestinationStream {
    return {
      write: (line: string) => {
        try {
          this.send({ type: 'log', line: JSON.parse(line) as Record<string, unknown> });
        } catch {
          // not a JSON line: nothing pino writes
        }
      },
    };
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.end();
  }

  private send(message: ToGateway): void {
    if (!this.socket.destroyed) this.socket.write(encodeFrame(message));
  }

  private ask(message: ToGateway & { readonly id: number }): Promise<DataMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(message.id);
        reject(new Error(`the gateway did not answer ${message.type} within ${PLUGIN_DATA_TIMEOUT_MS} ms`));
      }, PLUGIN_DATA_TIMEOUT_MS + 500);
      this.waiting.set(message.id, (reply) => {
        clearTimeout(timer);
        if (reply.ok) resolve(reply);
        else reject(new Error(reply.error ?? 'the gateway could not do it'));
      });
      this.send(message);
    });
  }
}

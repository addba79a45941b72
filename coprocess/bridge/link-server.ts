import { chmod } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../gateway/logging/index.js';
import type { PluginData } from './data.js';
import { encodeFrame, FrameReader } from './frames.js';
import { isToGateway, type DataMessage, type ToGateway } from './messages.js';

const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
/** Fields of a bridge's line that the gateway's own logger writes itself. */
const OWN_FIELDS = new Set(['level', 'msg', 'time', 'pid', 'hostname']);

/**
 * The gateway's end of the link (link-client.ts): a unix socket in a folder only this user can
 * enter. Bridges log through it and reach the gateway's storage for tyk.store_data/get_data.
 */
export class LinkServer {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly data: PluginData,
    private readonly logger: Logger,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  static async listen(path: string, data: PluginData, logger: Logger): Promise<LinkServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    await chmod(path, 0o600);
    return new LinkServer(server, data, logger);
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let log = this.logger;
    const reader = new FrameReader(
      (message) => {
        if (!isToGateway(message)) return;
        if (message.type === 'hello') log = this.logger.child({ bridge_pid: message.pid });
        else if (message.type === 'log') relog(log, message.line);
        else void this.answer(message).then((reply) => socket.destroyed || socket.write(encodeFrame(reply)));
      },
      (err) => {
        this.logger.error({ err: err.message }, 'a Python bridge broke the link protocol; disconnected');
        socket.destroy();
      },
    );
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
  }

  private async answer(message: Extract<ToGateway, { type: 'data_get' | 'data_set' }>): Promise<DataMessage> {
    try {
      if (message.type === 'data_get') return { type: 'data', id: message.id, ok: true, value: await this.data.get(message.key) };
      await this.data.set(message.key, message.value, message.ttl);
      return { type: 'data', id: message.id, ok: true };
    } catch (err) {
      return { type: 'data', id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }
}

function relog(log: Logger, line: Readonly<Record<string, unknown>>): void {
  const level = LEVELS[typeof line['level'] === 'number' ? line['level'] : 30] ?? 'info';
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(line)) if (!OWN_FIELDS.has(key)) fields[key] = value;
  log[level](fields, typeof line['msg'] === 'string' ? line['msg'] : '');
}

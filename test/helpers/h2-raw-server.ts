import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP server that speaks just enough HTTP/2 by hand to misbehave on purpose: it reads the client
 * preface and frames (with its own 9-byte header parsing, independent of the client under test)
 * and writes whatever frames or bytes a test gives it. A connection can also be piped to a real
 * server instead, for "the first connection misbehaves, the next one works" cases.
 */
export interface RawFrame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

export interface RawConnection {
  readonly socket: Socket;
  /** Connections accepted before this one. */
  readonly index: number;
  frame(type: number, flags: number, streamId: number, payload?: Buffer): void;
  raw(bytes: Buffer): void;
  /** Called for each frame the client sends after its preface. */
  onFrame(handler: (frame: RawFrame) => void): void;
  /** Forwards this connection, bytes and all, to a real server on `port`. */
  pipeTo(port: number): void;
}

export interface RawH2Server {
  readonly port: number;
  readonly address: string;
  readonly connections: number;
  readonly frames: RawFrame[];
  close(): Promise<void>;
}

const PREFACE_BYTES = 24;

export function frameBytes(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}

export async function startRawH2Server(onConnection: (conn: RawConnection) => void): Promise<RawH2Server> {
  const sockets = new Set<Socket>();
  const frames: RawFrame[] = [];
  let connections = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const handlers: ((frame: RawFrame) => void)[] = [];
    let piped = false;
    let buffered = Buffer.alloc(0);
    let prefaceSeen = false;
    const conn: RawConnection = {
      socket,
      index: connections++,
      frame: (type, flags, streamId, payload) => {
        if (!socket.destroyed) socket.write(frameBytes(type, flags, streamId, payload));
      },
      raw: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
      onFrame: (handler) => handlers.push(handler),
      pipeTo: (port) => {
        piped = true;
        const upstream = connect(port, '127.0.0.1');
        upstream.on('error', () => socket.destroy());
        socket.on('close', () => upstream.destroy());
        upstream.on('close', () => socket.destroy());
        socket.pipe(upstream);
        upstream.pipe(socket);
      },
    };
    onConnection(conn);
    if (piped) return;
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!prefaceSeen) {
        if (buffered.length < PREFACE_BYTES) return;
        buffered = buffered.subarray(PREFACE_BYTES);
        prefaceSeen = true;
      }
      while (buffered.length >= 9) {
        const length = buffered.readUIntBE(0, 3);
        if (buffered.length < 9 + length) break;
        const frame = { type: buffered[3] as number, flags: buffered[4] as number, streamId: buffered.readUInt32BE(5) & 0x7fffffff, payload: Buffer.from(buffered.subarray(9, 9 + length)) };
        buffered = buffered.subarray(9 + length);
        frames.push(frame);
        for (const handler of handlers) handler(frame);
      }
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return {
    port,
    address: `127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    frames,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

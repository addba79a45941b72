import type { Socket } from 'node:net';
import { FRAME_HEADER_BYTES, FrameType, Flags } from './frames.js';

/** Small frames are built in a shared slab; payloads at least this big are queued as they are. */
const COPY_LIMIT = 2048;
const SLAB_BYTES = 64 * 1024;

/**
 * Builds outgoing frames and writes them in batches. Every frame written during one turn of the
 * event loop leaves in a single write (writev for several chunks) when the loop reaches its check
 * phase: a socket write costs more than building a frame, and a gateway under load starts many
 * calls per turn. Small frames are laid out in a slab whose written part is handed to the socket
 * as a view, so nothing is copied twice; large payloads are never copied.
 */
export class FrameWriter {
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  /** The slab's bytes [start, end) are written but not yet queued. */
  private start = 0;
  private end = 0;
  private chunks: Buffer[] = [];
  private scheduled = false;
  private closed = false;

  constructor(private readonly socket: Socket) {}

  /** Raw bytes (the connection preface). */
  raw(bytes: Buffer): void {
    this.reserve(bytes.length);
    this.end += bytes.copy(this.slab, this.end);
    this.schedule();
  }

  /** A frame whose payload is a few fixed-size fields, written by `fill` at the offset it gets. */
  frame(type: number, flags: number, streamId: number, length: number, fill?: (buf: Buffer, offset: number) => void): void {
    this.reserve(FRAME_HEADER_BYTES + length);
    this.header(length, type, flags, streamId);
    fill?.(this.slab, this.end);
    this.end += length;
    this.schedule();
  }

  /** A frame with the concatenation of `parts` as its payload. */
  frameWith(type: number, flags: number, streamId: number, parts: readonly Buffer[]): void {
    let length = 0;
    for (const part of parts) length += part.length;
    if (length < COPY_LIMIT) {
      this.reserve(FRAME_HEADER_BYTES + length);
      this.header(length, type, flags, streamId);
      for (const part of parts) this.end += part.copy(this.slab, this.end);
    } else {
      this.reserve(FRAME_HEADER_BYTES);
      this.header(length, type, flags, streamId);
      for (const part of parts) this.external(part);
    }
    this.schedule();
  }

  /** A DATA frame carrying a 5-byte gRPC message prefix (when given) and a slice of the message. */
  data(streamId: number, prefix: Buffer | undefined, body: Buffer, endStream: boolean): void {
    this.frameWith(FrameType.DATA, endStream ? Flags.END_STREAM : 0, streamId, prefix === undefined ? [body] : [prefix, body]);
  }

  settings(entries: readonly (readonly [id: number, value: number])[], ack = false): void {
    this.frame(FrameType.SETTINGS, ack ? Flags.ACK : 0, 0, ack ? 0 : entries.length * 6, (buf, at) => {
      for (const [id, value] of entries) {
        buf.writeUInt16BE(id, at);
        buf.writeUInt32BE(value, at + 2);
        at += 6;
      }
    });
  }

  windowUpdate(streamId: number, increment: number): void {
    this.frame(FrameType.WINDOW_UPDATE, 0, streamId, 4, (buf, at) => buf.writeUInt32BE(increment, at));
  }

  rstStream(streamId: number, errorCode: number): void {
    this.frame(FrameType.RST_STREAM, 0, streamId, 4, (buf, at) => buf.writeUInt32BE(errorCode, at));
  }

  pingAck(opaque: Buffer): void {
    this.frame(FrameType.PING, Flags.ACK, 0, 8, (buf, at) => opaque.copy(buf, at, 0, 8));
  }

  goaway(lastStreamId: number, errorCode: number): void {
    this.frame(FrameType.GOAWAY, 0, 0, 8, (buf, at) => {
      buf.writeUInt32BE(lastStreamId, at);
      buf.writeUInt32BE(errorCode, at + 4);
    });
  }

  /** Writes what is queued now, instead of at the end of this turn (before closing the socket). */
  flush(): void {
    this.scheduled = false;
    if (this.closed) return;
    this.seal();
    const chunks = this.chunks;
    if (chunks.length === 0) return;
    this.chunks = [];
    if (chunks.length === 1) {
      this.socket.write(chunks[0] as Buffer);
      return;
    }
    this.socket.cork();
    for (const chunk of chunks) this.socket.write(chunk);
    this.socket.uncork();
  }

  /** Drops everything queued; later frames go nowhere (the socket is gone). */
  close(): void {
    this.closed = true;
    this.chunks = [];
    this.start = this.end = 0;
  }

  private header(length: number, type: number, flags: number, streamId: number): void {
    const buf = this.slab;
    const at = this.end;
    buf[at] = (length >>> 16) & 0xff;
    buf[at + 1] = (length >>> 8) & 0xff;
    buf[at + 2] = length & 0xff;
    buf[at + 3] = type;
    buf[at + 4] = flags;
    buf.writeUInt32BE(streamId, at + 5);
    this.end += FRAME_HEADER_BYTES;
  }

  private external(bytes: Buffer): void {
    this.seal();
    if (bytes.length > 0) this.chunks.push(bytes);
  }

  /** Queues the slab's written part as a view; the slab is never written below `end` again. */
  private seal(): void {
    if (this.end > this.start) this.chunks.push(this.slab.subarray(this.start, this.end));
    this.start = this.end;
  }

  private reserve(bytes: number): void {
    if (this.slab.length - this.end >= bytes) return;
    this.seal();
    this.slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, bytes));
    this.start = this.end = 0;
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }
}

import { DEFAULT_MAX_FRAME_SIZE, ErrorCode, FRAME_HEADER_BYTES, H2ProtocolError } from './frames.js';

/** Receives each whole frame; `payload` may be a view into a socket chunk and must not be mutated. */
export type FrameHandler = (type: number, flags: number, streamId: number, payload: Buffer) => void;

/**
 * Cuts the byte stream from a socket into frames. Frames that arrive whole in one chunk (nearly
 * all of them) are handed on as views, without copying; only a frame split across chunks is
 * joined, once, when its last byte is there.
 */
export class FrameReader {
  private parts: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes the pending frame needs before it can be cut (the 9-byte header at least). */
  private needed = FRAME_HEADER_BYTES;
  private stopped = false;

  constructor(
    private readonly onFrame: FrameHandler,
    /** The SETTINGS_MAX_FRAME_SIZE this endpoint advertised: anything longer is a connection error. */
    private readonly maxFrameSize = DEFAULT_MAX_FRAME_SIZE,
  ) {}

  /** Throws H2ProtocolError on a frame longer than allowed; whatever the handler throws passes through. */
  push(chunk: Buffer): void {
    if (this.stopped) return;
    let buf: Buffer;
    if (this.pendingBytes === 0) {
      buf = chunk;
    } else {
      this.parts.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < this.needed) return;
      buf = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.pendingBytes);
      this.parts = [];
      this.pendingBytes = 0;
    }
    let offset = 0;
    this.needed = FRAME_HEADER_BYTES;
    while (!this.stopped && buf.length - offset >= FRAME_HEADER_BYTES) {
      const length = ((buf[offset] as number) << 16) | ((buf[offset + 1] as number) << 8) | (buf[offset + 2] as number);
      if (length > this.maxFrameSize) {
        this.stop();
        throw new H2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, `a frame of ${length} bytes, over the ${this.maxFrameSize} advertised`);
      }
      const end = offset + FRAME_HEADER_BYTES + length;
      if (end > buf.length) {
        this.needed = end - offset;
        break;
      }
      const type = buf[offset + 3] as number;
      const flags = buf[offset + 4] as number;
      const streamId = buf.readUInt32BE(offset + 5) & 0x7fffffff;
      const payload = buf.subarray(offset + FRAME_HEADER_BYTES, end);
      offset = end;
      this.onFrame(type, flags, streamId, payload);
    }
    if (!this.stopped && offset < buf.length) {
      this.parts = [buf.subarray(offset)];
      this.pendingBytes = buf.length - offset;
    }
  }

  /** Drops whatever is buffered and ignores every later chunk (the connection is going away). */
  stop(): void {
    this.stopped = true;
    this.parts = [];
    this.pendingBytes = 0;
  }
}

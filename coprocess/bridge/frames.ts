/**
 * Framing for the bridge's channels (messages.ts): a 4-byte big-endian length, then that many
 * bytes of UTF-8 JSON. A length prefix rather than newlines keeps the reader to two reads per
 * frame on the Python side and needs no escaping.
 */

/** A frame larger than this means the stream is corrupt (an Object is at most a few MiB). */
export const MAX_FRAME_BYTES = 512 * 1024 * 1024;

export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** Collects chunks and calls `onFrame` with each whole frame's parsed JSON. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(
    private readonly onFrame: (message: unknown) => void,
    private readonly onError: (err: Error) => void,
  ) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      const head = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : this.merge();
      const size = head.readUInt32BE(0);
      if (size > MAX_FRAME_BYTES) {
        this.onError(new Error(`a frame of ${size} bytes is over the ${MAX_FRAME_BYTES}-byte limit`));
        this.chunks = [];
        this.buffered = 0;
        return;
      }
      if (this.buffered < 4 + size) return;
      const all = this.chunks.length === 1 ? head : this.merge();
      const body = all.subarray(4, 4 + size);
      const rest = all.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      let message: unknown;
      try {
        message = JSON.parse(body.toString('utf8'));
      } catch (err) {
        this.onError(new Error(`a frame is not JSON: ${err instanceof Error ? err.message : String(err)}`));
        continue;
      }
      this.onFrame(message);
    }
  }

  private merge(): Buffer {
    const merged = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [merged];
    return merged;
  }
}

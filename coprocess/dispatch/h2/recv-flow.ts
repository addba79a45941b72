import type { UnaryCall } from './call.js';
import { DEFAULT_WINDOW, ErrorCode, H2ProtocolError } from './frames.js';
import type { FrameWriter } from './frame-writer.js';

/**
 * The receiving half of flow control (RFC 9113 6.9) for one connection. Replies are consumed as
 * they arrive (a reply is bounded by the receive size limit), so windows are given back as soon
 * as half of one has been used: one WINDOW_UPDATE per half window, not one per frame. Replies no
 * larger than the stream window, the usual case, need no stream WINDOW_UPDATE at all.
 */
export class RecvFlow {
  private window = DEFAULT_WINDOW;
  private unacked = 0;

  constructor(
    private readonly writer: FrameWriter,
    /** Our connection window (raised from the protocol's 64 KB right after the preface). */
    readonly connectionWindow: number,
    /** Our SETTINGS_INITIAL_WINDOW_SIZE. */
    readonly streamWindow: number,
  ) {}

  /** Right after the preface and SETTINGS: raise the connection window to ours. */
  open(): void {
    if (this.connectionWindow > DEFAULT_WINDOW) this.writer.windowUpdate(0, this.connectionWindow - DEFAULT_WINDOW);
    this.window = Math.max(DEFAULT_WINDOW, this.connectionWindow);
  }

  /** A DATA frame of `length` bytes (padding included) on any stream, open or closed. */
  connectionData(length: number): void {
    this.window -= length;
    if (this.window < 0) throw new H2ProtocolError(ErrorCode.FLOW_CONTROL_ERROR, 'the server overran the connection window');
    this.unacked += length;
    if (this.unacked >= this.connectionWindow / 2) {
      this.writer.windowUpdate(0, this.unacked);
      this.window += this.unacked;
      this.unacked = 0;
    }
  }

  /** The same frame as it counts against its stream; false when the server overran the stream window. */
  streamData(call: UnaryCall, length: number): boolean {
    call.recvWindow -= length;
    return call.recvWindow >= 0;
  }

  /** The stream goes on after consuming `length` bytes: give the window back once half is used. */
  consumed(call: UnaryCall, length: number): void {
    call.recvUnacked += length;
    if (call.recvUnacked < this.streamWindow / 2) return;
    this.writer.windowUpdate(call.streamId, call.recvUnacked);
    call.recvWindow += call.recvUnacked;
    call.recvUnacked = 0;
  }
}

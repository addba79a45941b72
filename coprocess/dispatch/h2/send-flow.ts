import { MESSAGE_PREFIX_BYTES, type CallCarrier, type UnaryCall } from './call.js';
import { DEFAULT_MAX_FRAME_SIZE, DEFAULT_WINDOW, ErrorCode, FrameType, Flags, H2ProtocolError, MAX_WINDOW } from './frames.js';
import type { FrameWriter } from './frame-writer.js';

/**
 * The sending half of flow control (RFC 9113 6.9) for one connection: a request's DATA goes out
 * as far as both its stream's window and the connection's window allow, in frames no larger than
 * the server's MAX_FRAME_SIZE; the rest waits, in order, for WINDOW_UPDATE or SETTINGS to open
 * the windows again. A typical request fits the first window and leaves in one frame, together
 * with its HEADERS.
 */
export class SendFlow {
  /** The server's SETTINGS_INITIAL_WINDOW_SIZE: each new stream's send window. */
  initialWindow = DEFAULT_WINDOW;
  maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  private window = DEFAULT_WINDOW;
  /** Calls with DATA still to send, oldest first. */
  private blocked: UnaryCall[] = [];

  constructor(
    private readonly writer: FrameWriter,
    /** The connection: a queued call that has moved to another one (sent again after GOAWAY) drops out. */
    private readonly carrier: CallCarrier,
  ) {}

  /** Sends what the windows allow of a call just given a stream; queues the rest. */
  start(call: UnaryCall): void {
    call.sendWindow = this.initialWindow;
    if (!this.send(call)) this.blocked.push(call);
  }

  /** WINDOW_UPDATE on stream 0. */
  grow(increment: number): void {
    this.window += increment;
    if (this.window > MAX_WINDOW) throw new H2ProtocolError(ErrorCode.FLOW_CONTROL_ERROR, 'the connection send window grew past 2^31-1');
    this.pump();
  }

  /** WINDOW_UPDATE on a stream; false when it overflows the window (a stream error). */
  growStream(call: UnaryCall, increment: number): boolean {
    call.sendWindow += increment;
    if (call.sendWindow > MAX_WINDOW) return false;
    this.pump();
    return true;
  }

  /** SETTINGS_INITIAL_WINDOW_SIZE changed: every open stream's window moves by the difference (6.9.2). */
  resize(initialWindow: number, open: Iterable<UnaryCall>): void {
    const delta = initialWindow - this.initialWindow;
    this.initialWindow = initialWindow;
    for (const call of open) {
      call.sendWindow += delta;
      if (call.sendWindow > MAX_WINDOW) throw new H2ProtocolError(ErrorCode.FLOW_CONTROL_ERROR, 'a stream send window grew past 2^31-1');
    }
    this.pump();
  }

  /** Sends queued DATA as the windows now allow. Settled or moved calls drop out. */
  pump(): void {
    if (this.blocked.length === 0 || this.window <= 0) return;
    const still: UnaryCall[] = [];
    for (const call of this.blocked) {
      if (call.settled || call.carrier !== this.carrier || call.sendDone) continue;
      if (this.window <= 0 || !this.send(call)) still.push(call);
    }
    this.blocked = still;
  }

  /** Writes DATA frames for `call` while the windows allow; true when all of it has been sent. */
  private send(call: UnaryCall): boolean {
    const total = call.payloadBytes;
    while (call.sent < total) {
      const room = Math.min(call.sendWindow, this.window, this.maxFrameSize, total - call.sent);
      if (room <= 0) return false;
      const start = call.sent;
      const end = start + room;
      const parts: Buffer[] = [];
      if (start < MESSAGE_PREFIX_BYTES) parts.push(prefixOf(call).subarray(start, Math.min(end, MESSAGE_PREFIX_BYTES)));
      if (end > MESSAGE_PREFIX_BYTES) parts.push(call.message.subarray(Math.max(0, start - MESSAGE_PREFIX_BYTES), end - MESSAGE_PREFIX_BYTES));
      this.writer.frameWith(FrameType.DATA, end === total ? Flags.END_STREAM : 0, call.streamId, parts);
      call.sent = end;
      call.sendWindow -= room;
      this.window -= room;
    }
    return true;
  }
}

function prefixOf(call: UnaryCall): Buffer {
  const prefix = Buffer.allocUnsafe(MESSAGE_PREFIX_BYTES);
  prefix[0] = 0;
  prefix.writeUInt32BE(call.message.length, 1);
  return prefix;
}

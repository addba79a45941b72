import type { UnaryCall } from './call.js';
import { DEFAULT_MAX_FRAME_SIZE, ErrorCode, Flags, H2ProtocolError, MAX_ALLOWED_FRAME_SIZE, MAX_WINDOW, Setting } from './frames.js';
import type { SendFlow } from './send-flow.js';

/**
 * The server's SETTINGS (RFC 9113 6.5.2) as they bind a client: how many streams it may open, and
 * (through the send flow) the initial stream window and the largest frame it may send. Values are
 * checked as the RFC requires; HEADER_TABLE_SIZE and MAX_HEADER_LIST_SIZE need nothing from an
 * encoder that never indexes and sends a few small headers.
 */
export class SettingsState {
  maxConcurrentStreams = Infinity;

  constructor(private readonly flow: SendFlow) {}

  /** Applies one SETTINGS frame; throws H2ProtocolError for a malformed one. */
  apply(flags: number, streamId: number, payload: Buffer, open: Iterable<UnaryCall>): void {
    if (streamId !== 0) throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'SETTINGS on a stream');
    if ((flags & Flags.ACK) !== 0) {
      if (payload.length !== 0) throw new H2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, 'a SETTINGS acknowledgement with a payload');
      return;
    }
    if (payload.length % 6 !== 0) throw new H2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, 'SETTINGS is not a multiple of 6 bytes');
    for (let at = 0; at < payload.length; at += 6) {
      const id = payload.readUInt16BE(at);
      const value = payload.readUInt32BE(at + 2);
      switch (id) {
        case Setting.ENABLE_PUSH:
          // A server must not enable push (it is the client's setting to give).
          if (value !== 0) throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, `ENABLE_PUSH ${value} from a server`);
          break;
        case Setting.MAX_CONCURRENT_STREAMS:
          this.maxConcurrentStreams = value;
          break;
        case Setting.INITIAL_WINDOW_SIZE:
          if (value > MAX_WINDOW) throw new H2ProtocolError(ErrorCode.FLOW_CONTROL_ERROR, `INITIAL_WINDOW_SIZE ${value} is over 2^31-1`);
          this.flow.resize(value, open);
          break;
        case Setting.MAX_FRAME_SIZE:
          if (value < DEFAULT_MAX_FRAME_SIZE || value > MAX_ALLOWED_FRAME_SIZE) throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, `MAX_FRAME_SIZE ${value} is out of range`);
          this.flow.maxFrameSize = value;
          break;
        default:
          // HEADER_TABLE_SIZE, MAX_HEADER_LIST_SIZE, and unknown settings (which must be ignored).
          break;
      }
    }
  }
}

import { ErrorCode, Flags, H2ProtocolError } from './frames.js';

/** A complete header block, ready for the HPACK decoder. */
export interface HeaderBlock {
  readonly streamId: number;
  readonly block: Buffer;
  readonly endStream: boolean;
}

/** Bounds a block a server spreads over CONTINUATION frames. */
const HEADER_BLOCK_LIMIT = 1024 * 1024;

/** Strips the padding of a PADDED frame (RFC 9113 6.1, 6.2). */
export function unpad(flags: number, payload: Buffer, frame: string): Buffer {
  if ((flags & Flags.PADDED) === 0) return payload;
  if (payload.length < 1) throw new H2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, `padded ${frame} without a pad length`);
  const pad = payload[0] as number;
  if (pad >= payload.length) throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, `${frame} padding longer than the frame`);
  return payload.subarray(1, payload.length - pad);
}

/**
 * Joins HEADERS and its CONTINUATION frames into one header block (RFC 9113 6.2, 6.10): padding
 * and priority fields removed, and nothing else allowed on the connection until END_HEADERS.
 */
export class HeaderBlocks {
  private continued: { streamId: number; endStream: boolean; parts: Buffer[]; bytes: number } | undefined;

  /** Throws when a header block is open and this frame is not its CONTINUATION. */
  check(type: number, streamId: number, continuationType: number): void {
    if (this.continued !== undefined && (type !== continuationType || streamId !== this.continued.streamId)) {
      throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'a header block was interrupted before END_HEADERS');
    }
  }

  /** A HEADERS frame: the block when it is complete, undefined when CONTINUATION frames follow. */
  headers(flags: number, streamId: number, payload: Buffer): HeaderBlock | undefined {
    let fragment = unpad(flags, payload, 'HEADERS');
    if ((flags & Flags.PRIORITY) !== 0) {
      if (fragment.length < 5) throw new H2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, 'HEADERS too short for its priority fields');
      fragment = fragment.subarray(5);
    }
    const endStream = (flags & Flags.END_STREAM) !== 0;
    if ((flags & Flags.END_HEADERS) !== 0) return { streamId, block: fragment, endStream };
    this.continued = { streamId, endStream, parts: [fragment], bytes: fragment.length };
    return undefined;
  }

  /** A CONTINUATION frame (check() has made sure it continues the open block). */
  continuation(flags: number, payload: Buffer): HeaderBlock | undefined {
    const continued = this.continued;
    if (continued === undefined) throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'CONTINUATION without a header block to continue');
    continued.parts.push(payload);
    continued.bytes += payload.length;
    if (continued.bytes > HEADER_BLOCK_LIMIT) throw new H2ProtocolError(ErrorCode.ENHANCE_YOUR_CALM, `a header block over ${HEADER_BLOCK_LIMIT} bytes`);
    if ((flags & Flags.END_HEADERS) === 0) return undefined;
    this.continued = undefined;
    return { streamId: continued.streamId, block: Buffer.concat(continued.parts, continued.bytes), endStream: continued.endStream };
  }
}

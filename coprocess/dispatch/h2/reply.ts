import { callStatus, percentDecode, Status, statusFromHttp, type CallStatus } from './grpc-status.js';

/** What a reply event settles: the reply message, a status, or nothing yet (undefined). */
export type ReplyOutcome = Buffer | CallStatus | undefined;

const PREFIX_BYTES = 5;
const EMPTY = Buffer.alloc(0);

/**
 * The receiving half of one unary call: response headers, exactly one length-prefixed message in
 * DATA frames, then trailers with grpc-status (or all of it in one trailers-only block). It knows
 * nothing of frames or flow control; the connection feeds it decoded header fields and DATA
 * payloads. The common reply (one DATA frame holding the whole message) is a view into the
 * frame, not a copy.
 */
export class ReplyReader {
  private headersSeen = false;
  private httpStatus = 0;
  /** Only for a prefix split across DATA frames (rare): allocated then. */
  private prefix: Buffer | undefined;
  private prefixFill = 0;
  /** The current message's length once its prefix is in; -1 before. */
  private expected = -1;
  private body: Buffer | undefined;
  private bodyFill = 0;
  private message: Buffer | undefined;

  constructor(private readonly maxMessageBytes: number) {}

  /** A decoded header block ([name, value, ...]); `endStream` when it closed the server's side. */
  headers(fields: readonly string[], endStream: boolean): ReplyOutcome {
    if (!this.headersSeen) {
      this.headersSeen = true;
      const status = field(fields, ':status');
      this.httpStatus = status === undefined ? 0 : Number(status);
      if (endStream) return this.trailers(fields);
      return undefined;
    }
    if (!endStream) return callStatus(Status.INTERNAL, 'Received a second header block that does not end the stream');
    return this.trailers(fields);
  }

  /** A DATA payload (padding removed). */
  data(chunk: Buffer, endStream: boolean): ReplyOutcome {
    if (!this.headersSeen) return callStatus(Status.INTERNAL, 'Received DATA before the response headers');
    // A non-gRPC answer (HTTP error page): its body is not gRPC framing; the status comes at the end.
    if (this.httpStatus !== 200) return endStream ? statusFromHttp(this.httpStatus) : undefined;
    if (this.expected < 0 && this.prefixFill === 0 && this.message === undefined && chunk.length >= PREFIX_BYTES && chunk[0] === 0) {
      const length = chunk.readUInt32BE(1);
      if (chunk.length === PREFIX_BYTES + length && length <= this.maxMessageBytes) {
        this.message = chunk.subarray(PREFIX_BYTES);
        return endStream ? this.endedWithoutTrailers() : undefined;
      }
    }
    const problem = this.consume(chunk);
    if (problem !== undefined) return problem;
    return endStream ? this.endedWithoutTrailers() : undefined;
  }

  /** Whether a message has been started but not completed (for the ending diagnostics). */
  private get partial(): boolean {
    return this.prefixFill > 0 || this.expected >= 0;
  }

  private consume(chunk: Buffer): CallStatus | undefined {
    let at = 0;
    while (at < chunk.length) {
      if (this.message !== undefined) return callStatus(Status.UNIMPLEMENTED, 'Too many responses received');
      if (this.expected < 0) {
        let flags: number;
        let length: number;
        if (this.prefixFill === 0 && chunk.length - at >= PREFIX_BYTES) {
          flags = chunk[at] as number;
          length = chunk.readUInt32BE(at + 1);
          at += PREFIX_BYTES;
        } else {
          const prefix = (this.prefix ??= Buffer.alloc(PREFIX_BYTES));
          const take = Math.min(PREFIX_BYTES - this.prefixFill, chunk.length - at);
          chunk.copy(prefix, this.prefixFill, at, at + take);
          this.prefixFill += take;
          at += take;
          if (this.prefixFill < PREFIX_BYTES) return undefined;
          flags = prefix[0] as number;
          length = prefix.readUInt32BE(1);
        }
        if (flags !== 0) {
          return callStatus(Status.INTERNAL, flags === 1 ? 'Received a compressed message, but no compression was negotiated' : `Received a message with invalid flags 0x${flags.toString(16)}`);
        }
        if (length > this.maxMessageBytes) return callStatus(Status.RESOURCE_EXHAUSTED, `Received message larger than max (${length} vs ${this.maxMessageBytes})`);
        this.prefixFill = 0;
        if (length === 0) {
          this.message = EMPTY;
        } else if (chunk.length - at >= length) {
          this.message = chunk.subarray(at, at + length);
          at += length;
        } else {
          this.expected = length;
          this.body = Buffer.allocUnsafe(length);
          this.bodyFill = 0;
        }
        continue;
      }
      const body = this.body as Buffer;
      const take = Math.min(this.expected - this.bodyFill, chunk.length - at);
      chunk.copy(body, this.bodyFill, at, at + take);
      this.bodyFill += take;
      at += take;
      if (this.bodyFill === this.expected) {
        this.message = body;
        this.body = undefined;
        this.expected = -1;
      }
    }
    return undefined;
  }

  private trailers(fields: readonly string[]): CallStatus | Buffer {
    const code = field(fields, 'grpc-status');
    if (code === undefined) {
      if (this.httpStatus !== 200 && this.httpStatus !== 0) return statusFromHttp(this.httpStatus);
      return callStatus(Status.UNKNOWN, 'No status information received');
    }
    const parsed = /^\d{1,9}$/.test(code) ? Number(code) : Status.UNKNOWN;
    if (parsed !== Status.OK) return callStatus(parsed, percentDecode(field(fields, 'grpc-message') ?? ''));
    if (this.message !== undefined) return this.message;
    if (this.partial) return callStatus(Status.INTERNAL, 'The reply ended inside a message');
    return callStatus(Status.UNIMPLEMENTED, 'No message received');
  }

  /** grpc-js reports a stream that ends without trailers as a RST_STREAM with code 0. */
  private endedWithoutTrailers(): CallStatus {
    return callStatus(Status.INTERNAL, 'Received RST_STREAM with code 0 (Call ended without gRPC status)');
  }
}

/** The first value of `name` in a decoded header list. */
function field(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

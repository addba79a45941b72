import type { CallCarrier, UnaryCall } from './call.js';
import type { FrameWriter } from './frame-writer.js';
import { ErrorCode, errorCodeName, FrameType, Flags, H2ProtocolError, MAX_STREAM_ID } from './frames.js';
import { callStatus, Status, statusFromReset, type CallStatus } from './grpc-status.js';
import { HeaderBlocks, unpad, type HeaderBlock } from './header-blocks.js';
import type { HpackDecoder } from './hpack-decoder.js';
import type { RecvFlow } from './recv-flow.js';
import { ReplyReader } from './reply.js';
import type { RequestHeaders } from './request-headers.js';
import type { SendFlow } from './send-flow.js';

/** What the streams tell their connection. */
export interface StreamEvents {
  /** The call's stream ended with a reply or a status. */
  settle(call: UnaryCall, outcome: Buffer | CallStatus): void;
  /** The server never processed this call (GOAWAY below its stream, REFUSED_STREAM): it may be sent again. */
  unprocessed(call: UnaryCall, status: CallStatus): void;
  /** A stream closed, whichever way. */
  closed(): void;
}

export interface StreamParts {
  readonly writer: FrameWriter;
  readonly send: SendFlow;
  readonly recv: RecvFlow;
  readonly decoder: HpackDecoder;
  readonly headers: RequestHeaders;
  readonly carrier: CallCarrier;
  readonly recvMaxBytes: number;
}

/**
 * The streams of one connection, one per call: opening them (HEADERS and DATA), routing the
 * server's stream frames to each call's reply reader, and closing them (RST_STREAM when the other
 * side may still be using the stream). Stream errors fail one call; anything that breaks the
 * connection's state (frames on streams never opened, bad HPACK) is thrown as H2ProtocolError.
 */
export class Streams {
  private readonly open = new Map<number, UnaryCall>();
  private readonly blocks = new HeaderBlocks();
  private nextId = 1;

  constructor(
    private readonly parts: StreamParts,
    private readonly events: StreamEvents,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** Stream IDs cannot be reused: a connection that has used them up must be replaced. */
  get exhausted(): boolean {
    return this.nextId > MAX_STREAM_ID;
  }

  calls(): IterableIterator<UnaryCall> {
    return this.open.values();
  }

  start(call: UnaryCall): void {
    const { writer, send } = this.parts;
    const streamId = this.nextId;
    this.nextId += 2;
    call.attempts++;
    call.streamId = streamId;
    call.carrier = this.parts.carrier;
    call.sent = 0;
    call.recvWindow = this.parts.recv.streamWindow;
    call.reply = new ReplyReader(this.parts.recvMaxBytes);
    this.open.set(streamId, call);
    const block = this.parts.headers.block(call.path, call.deadline - Date.now(), call.metadata);
    const max = send.maxFrameSize;
    for (let at = 0; at === 0 || at < block.length; at += max) {
      const flags = at + max >= block.length ? Flags.END_HEADERS : 0;
      writer.frameWith(at === 0 ? FrameType.HEADERS : FrameType.CONTINUATION, flags, streamId, [at === 0 && flags !== 0 ? block : block.subarray(at, at + max)]);
    }
    send.start(call);
  }

  /** Abandons a call's stream without settling it (its deadline passed). */
  cancel(call: UnaryCall): void {
    if (this.open.get(call.streamId) === call) this.end(call);
  }

  /** Throws when a header block is open and this frame does not continue it. */
  check(type: number, streamId: number): void {
    this.blocks.check(type, streamId, FrameType.CONTINUATION);
  }

  data(flags: number, streamId: number, payload: Buffer): void {
    const call = this.lookup(streamId, 'DATA');
    // Flow control counts the whole payload, padding included, on closed streams too (6.9).
    this.parts.recv.connectionData(payload.length);
    if (call === undefined || call.remoteClosed) return;
    const data = unpad(flags, payload, 'DATA');
    if (!this.parts.recv.streamData(call, payload.length)) return this.streamError(call, ErrorCode.FLOW_CONTROL_ERROR, 'the server overran the stream window');
    const endStream = (flags & Flags.END_STREAM) !== 0;
    if (endStream) call.remoteClosed = true;
    const outcome = (call.reply as ReplyReader).data(data, endStream);
    if (outcome !== undefined) return this.finish(call, outcome);
    this.parts.recv.consumed(call, payload.length);
  }

  headers(flags: number, streamId: number, payload: Buffer): void {
    this.lookup(streamId, 'HEADERS');
    this.headerBlock(this.blocks.headers(flags, streamId, payload));
  }

  continuation(flags: number, payload: Buffer): void {
    this.headerBlock(this.blocks.continuation(flags, payload));
  }

  reset(streamId: number, payload: Buffer): void {
    if (payload.length !== 4) throw new H2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, 'RST_STREAM is not 4 bytes');
    const call = this.lookup(streamId, 'RST_STREAM');
    if (call === undefined) return;
    const code = payload.readUInt32BE(0);
    call.remoteClosed = true;
    if (code !== ErrorCode.REFUSED_STREAM) return this.finish(call, statusFromReset(code));
    this.open.delete(streamId);
    call.detach();
    this.events.unprocessed(call, statusFromReset(code));
    this.events.closed();
  }

  windowUpdate(streamId: number, increment: number): void {
    const call = this.lookup(streamId, 'WINDOW_UPDATE');
    if (call === undefined) return;
    if (increment === 0) return this.streamError(call, ErrorCode.PROTOCOL_ERROR, 'a WINDOW_UPDATE of 0');
    if (!this.parts.send.growStream(call, increment)) this.streamError(call, ErrorCode.FLOW_CONTROL_ERROR, 'the stream send window grew past 2^31-1');
  }

  /** GOAWAY: streams above `lastStreamId` never reached the server, so they may go elsewhere. */
  refusedAbove(lastStreamId: number, status: CallStatus): void {
    for (const [id, call] of [...this.open]) {
      if (id <= lastStreamId) continue;
      this.open.delete(id);
      call.detach();
      this.events.unprocessed(call, status);
    }
  }

  /** The connection is gone: forgets every stream and returns their calls. */
  drop(): UnaryCall[] {
    const calls = [...this.open.values()];
    this.open.clear();
    for (const call of calls) call.detach();
    return calls;
  }

  /** The call on `streamId`; undefined for a stream already closed; a stream never opened is a protocol error. */
  private lookup(streamId: number, frame: string): UnaryCall | undefined {
    if (streamId === 0) throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, `${frame} on stream 0`);
    const call = this.open.get(streamId);
    if (call === undefined && (streamId % 2 === 0 || streamId >= this.nextId)) {
      throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, `${frame} on stream ${streamId}, which was never opened`);
    }
    return call;
  }

  private headerBlock(complete: HeaderBlock | undefined): void {
    if (complete === undefined) return;
    // Decoded even for closed streams: the decoder's table must see every block in order.
    const fields = this.parts.decoder.decode(complete.block);
    const call = this.open.get(complete.streamId);
    if (call === undefined || call.remoteClosed) return;
    if (complete.endStream) call.remoteClosed = true;
    const outcome = (call.reply as ReplyReader).headers(fields, complete.endStream);
    if (outcome !== undefined) this.finish(call, outcome);
  }

  /** A stream error (5.4.2): only this call fails. */
  private streamError(call: UnaryCall, errorCode: number, why: string): void {
    this.parts.writer.rstStream(call.streamId, errorCode);
    call.remoteClosed = true;
    this.finish(call, callStatus(Status.INTERNAL, `HTTP/2 stream error (${errorCodeName(errorCode)}): ${why}`));
  }

  private finish(call: UnaryCall, outcome: Buffer | CallStatus): void {
    this.end(call);
    this.events.settle(call, outcome);
  }

  /** Forgets a call's stream, resetting it unless both sides are done with it. */
  private end(call: UnaryCall): void {
    this.open.delete(call.streamId);
    if (!call.remoteClosed || !call.sendDone) this.parts.writer.rstStream(call.streamId, ErrorCode.CANCEL);
    call.detach();
    this.events.closed();
  }
}

import { connect, type NetConnectOpts, type Socket } from 'node:net';
import type { CallCarrier, UnaryCall } from './call.js';
import { FrameReader } from './frame-reader.js';
import { FrameWriter } from './frame-writer.js';
import { CLIENT_PREFACE, ErrorCode, errorCodeName, FrameType, Flags, H2ProtocolError, Setting } from './frames.js';
import { callStatus, Status, type CallStatus } from './grpc-status.js';
import { HpackDecoder } from './hpack-decoder.js';
import { RecvFlow } from './recv-flow.js';
import type { RequestHeaders } from './request-headers.js';
import { SendFlow } from './send-flow.js';
import { SettingsState } from './settings.js';
import { Streams } from './streams.js';

export interface ConnectionOptions {
  readonly connect: NetConnectOpts;
  readonly headers: RequestHeaders;
  readonly recvMaxBytes: number;
  /** Our SETTINGS_INITIAL_WINDOW_SIZE: how much of a reply the server may send before we ack it. */
  readonly streamWindow: number;
  /** Our connection receive window. */
  readonly connectionWindow: number;
  readonly connectTimeoutMs: number;
}

/** What a connection tells its owner (the transport). */
export interface ConnectionEvents {
  /** The server's SETTINGS arrived: streams may start. */
  ready(conn: H2Connection): void;
  /** A stream slot freed up, or the server allowed more. */
  capacity(conn: H2Connection): void;
  /** The call's stream ended with a reply or a status. */
  settle(call: UnaryCall, outcome: Buffer | CallStatus): void;
  /** The server never processed this call (GOAWAY below its stream, REFUSED_STREAM): it may be sent again. */
  unprocessed(call: UnaryCall, status: CallStatus): void;
  /** The connection takes no more calls: draining after GOAWAY, or closed. Called once. */
  retired(conn: H2Connection, reason: string, everReady: boolean): void;
}

/**
 * One HTTP/2 connection to a plugin server (prior knowledge, cleartext), carrying unary gRPC
 * calls as streams (streams.ts). It owns the socket, answers SETTINGS and PING, applies GOAWAY,
 * and turns protocol errors and a dropped socket into per-call outcomes. Nothing escapes it as an
 * exception: whatever goes wrong while reading ends the connection and fails its calls.
 */
export class H2Connection implements CallCarrier {
  private state: 'connecting' | 'ready' | 'draining' | 'closed' = 'connecting';
  private readonly socket: Socket;
  private readonly writer: FrameWriter;
  private readonly reader: FrameReader;
  private readonly send: SendFlow;
  private readonly settings: SettingsState;
  private readonly streams: Streams;
  private readonly connectTimer: NodeJS.Timeout;
  private everReady = false;

  constructor(
    options: ConnectionOptions,
    private readonly events: ConnectionEvents,
  ) {
    this.socket = connect(options.connect);
    this.writer = new FrameWriter(this.socket);
    this.send = new SendFlow(this.writer, this);
    this.settings = new SettingsState(this.send);
    const recv = new RecvFlow(this.writer, options.connectionWindow, options.streamWindow);
    this.streams = new Streams(
      { writer: this.writer, send: this.send, recv, decoder: new HpackDecoder(), headers: options.headers, carrier: this, recvMaxBytes: options.recvMaxBytes },
      { settle: (call, outcome) => events.settle(call, outcome), unprocessed: (call, status) => events.unprocessed(call, status), closed: () => this.streamClosed() },
    );
    this.reader = new FrameReader((type, flags, streamId, payload) => this.onFrame(type, flags, streamId, payload));
    this.connectTimer = setTimeout(() => this.fail(`no HTTP/2 settings within ${options.connectTimeoutMs} ms`, Status.UNAVAILABLE), options.connectTimeoutMs);
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => {
      this.socket.setKeepAlive(true, 30_000);
      this.writer.raw(CLIENT_PREFACE);
      this.writer.settings([
        [Setting.ENABLE_PUSH, 0],
        [Setting.INITIAL_WINDOW_SIZE, options.streamWindow],
      ]);
      recv.open();
    });
    this.socket.on('data', (chunk: Buffer) => {
      try {
        this.reader.push(chunk);
      } catch (err) {
        this.protocolFailure(err);
      }
    });
    this.socket.on('error', (err) => this.fail(this.everReady ? `Connection dropped (${err.message})` : err.message, Status.UNAVAILABLE));
    this.socket.on('close', () => this.fail(this.everReady ? 'Connection dropped' : 'the server closed the connection before HTTP/2 settings', Status.UNAVAILABLE));
  }

  get active(): number {
    return this.streams.size;
  }

  /** Whether a new call can start here now. */
  get available(): boolean {
    return this.state === 'ready' && this.streams.size < this.settings.maxConcurrentStreams;
  }

  get usable(): boolean {
    return this.state === 'connecting' || this.state === 'ready';
  }

  /** Opens a stream for `call`: HEADERS, then as much DATA as the windows allow. Check `available` first. */
  start(call: UnaryCall): void {
    if (this.streams.size === 0) this.socket.ref();
    this.streams.start(call);
    if (this.streams.exhausted) this.retire('stream IDs exhausted');
  }

  /** Abandons a call's stream (its deadline passed). */
  cancel(call: UnaryCall): void {
    this.streams.cancel(call);
  }

  /** Stops taking calls and closes once the calls on it have finished. */
  close(): void {
    if (this.state === 'connecting') this.fail('the transport closed', Status.UNAVAILABLE);
    else this.retire('the transport closed');
  }

  private onFrame(type: number, flags: number, streamId: number, payload: Buffer): void {
    this.streams.check(type, streamId);
    if (this.state === 'connecting' && type !== FrameType.SETTINGS) throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'the server did not start with SETTINGS');
    switch (type) {
      case FrameType.DATA:
        return this.streams.data(flags, streamId, payload);
      case FrameType.HEADERS:
        return this.streams.headers(flags, streamId, payload);
      case FrameType.CONTINUATION:
        return this.streams.continuation(flags, payload);
      case FrameType.RST_STREAM:
        return this.streams.reset(streamId, payload);
      case FrameType.SETTINGS:
        return this.onSettings(flags, streamId, payload);
      case FrameType.PING:
        if (payload.length !== 8) throw new H2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, 'PING is not 8 bytes');
        if (streamId !== 0) throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'PING on a stream');
        if ((flags & Flags.ACK) === 0) this.writer.pingAck(payload);
        return;
      case FrameType.GOAWAY:
        return this.onGoaway(streamId, payload);
      case FrameType.WINDOW_UPDATE:
        return this.onWindowUpdate(streamId, payload);
      case FrameType.PUSH_PROMISE:
        throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'PUSH_PROMISE, though push is disabled');
      default:
        // PRIORITY and unknown frame types carry nothing a unary client needs (5.5).
        return;
    }
  }

  private onSettings(flags: number, streamId: number, payload: Buffer): void {
    this.settings.apply(flags, streamId, payload, this.streams.calls());
    if ((flags & Flags.ACK) !== 0) return;
    this.writer.settings([], true);
    if (this.state === 'connecting') {
      this.state = 'ready';
      this.everReady = true;
      clearTimeout(this.connectTimer);
      this.socket.unref(); // until a call starts: an idle connection must not keep the process alive
      this.events.ready(this);
    } else if (this.state === 'ready') {
      this.events.capacity(this);
    }
  }

  private onGoaway(streamId: number, payload: Buffer): void {
    if (streamId !== 0) throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'GOAWAY on a stream');
    if (payload.length < 8) throw new H2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, 'GOAWAY shorter than 8 bytes');
    const why = `the server sent GOAWAY (${errorCodeName(payload.readUInt32BE(4))})`;
    this.streams.refusedAbove(payload.readUInt32BE(0) & 0x7fffffff, callStatus(Status.UNAVAILABLE, why));
    this.retire(why);
  }

  private onWindowUpdate(streamId: number, payload: Buffer): void {
    if (payload.length !== 4) throw new H2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, 'WINDOW_UPDATE is not 4 bytes');
    const increment = payload.readUInt32BE(0) & 0x7fffffff;
    if (streamId !== 0) return this.streams.windowUpdate(streamId, increment);
    if (increment === 0) throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'a WINDOW_UPDATE of 0 on the connection');
    this.send.grow(increment);
  }

  private streamClosed(): void {
    if (this.streams.size === 0) {
      if (this.state === 'draining') return this.shutdown();
      this.socket.unref();
    }
    if (this.state === 'ready') this.events.capacity(this);
  }

  /** No new streams; closes once the open ones end. */
  private retire(reason: string): void {
    if (this.state !== 'ready' && this.state !== 'connecting') return;
    this.state = 'draining';
    this.events.retired(this, reason, this.everReady);
    if (this.streams.size === 0) this.shutdown();
  }

  private shutdown(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.connectTimer);
    this.writer.goaway(0, ErrorCode.NO_ERROR);
    this.writer.flush();
    this.writer.close();
    this.reader.stop();
    this.socket.end();
    this.socket.unref();
    // A server that never closes its side does not get to hold the socket open.
    setTimeout(() => this.socket.destroy(), 5000).unref();
  }

  private protocolFailure(err: unknown): void {
    if (!(err instanceof H2ProtocolError)) return this.fail(`HTTP/2 client error: ${err instanceof Error ? err.message : String(err)}`, Status.INTERNAL);
    this.writer.goaway(0, err.errorCode);
    this.writer.flush();
    this.fail(`HTTP/2 protocol error (${errorCodeName(err.errorCode)}): ${err.message}`, Status.INTERNAL);
  }

  /** The connection is gone: every call on it fails with `code`. */
  private fail(reason: string, code: number): void {
    if (this.state === 'closed') return;
    const wasUsable = this.usable;
    this.state = 'closed';
    clearTimeout(this.connectTimer);
    this.reader.stop();
    this.writer.close();
    this.socket.destroy();
    const calls = this.streams.drop();
    if (wasUsable) this.events.retired(this, reason, this.everReady);
    const status = callStatus(code, reason);
    for (const call of calls) this.events.settle(call, status);
  }
}

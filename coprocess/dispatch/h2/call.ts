import type { Expiring } from './deadlines.js';
import type { ReplyReader } from './reply.js';

/** The bytes of the 5-byte gRPC message prefix: not compressed, then the length. */
export const MESSAGE_PREFIX_BYTES = 5;

/** What a call's stream lives on (a connection), as far as the call's owner needs it. */
export interface CallCarrier {
  /** Abandons the call's stream (RST_STREAM CANCEL) without settling the call. */
  cancel(call: UnaryCall): void;
}

/**
 * One unary call from the transport's `unary()` until it settles: the request, its deadline, and
 * the state of the stream it is on (if any). Connections and the transport read and write these
 * fields directly; a call is a record, not an actor, so that a hot path allocates one object.
 */
export class UnaryCall implements Expiring {
  deadlinePrev: Expiring | undefined = undefined;
  deadlineNext: Expiring | undefined = undefined;
  deadlineListed = false;

  /** Set once it has resolved or rejected; every later event about it is ignored. */
  settled = false;
  /** Streams opened for it: a call the server never saw (GOAWAY, REFUSED_STREAM) is sent again. */
  attempts = 0;

  // The stream it is on, while it is on one.
  streamId = 0;
  /** Bytes of the DATA payload (prefix and message) sent so far. */
  sent = 0;
  sendWindow = 0;
  recvWindow = 0;
  /** Bytes received since the last stream WINDOW_UPDATE. */
  recvUnacked = 0;
  /** The server closed its side (END_STREAM or RST_STREAM): no RST_STREAM needs to be sent. */
  remoteClosed = false;
  reply: ReplyReader | undefined = undefined;
  /** The connection it is on. */
  carrier: CallCarrier | undefined = undefined;

  constructor(
    readonly path: string,
    readonly message: Buffer,
    readonly metadata: Readonly<Record<string, string>> | undefined,
    /** Epoch milliseconds. */
    readonly deadline: number,
    /** The timeout as given, for messages. */
    readonly timeoutMs: number,
    readonly resolve: (reply: Buffer) => void,
    readonly reject: (err: Error) => void,
    private readonly onExpire: (call: UnaryCall) => void,
  ) {}

  /** Total DATA payload bytes: the prefix and the message. */
  get payloadBytes(): number {
    return MESSAGE_PREFIX_BYTES + this.message.length;
  }

  get sendDone(): boolean {
    return this.sent === MESSAGE_PREFIX_BYTES + this.message.length;
  }

  expire(): void {
    this.onExpire(this);
  }

  /** Forgets the stream it was on (before it is sent again, or when it settles). */
  detach(): void {
    this.streamId = 0;
    this.sent = 0;
    this.sendWindow = this.recvWindow = this.recvUnacked = 0;
    this.remoteClosed = false;
    this.reply = undefined;
    this.carrier = undefined;
  }
}

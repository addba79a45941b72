import { statusError } from '../errors.js';
import type { DispatchTransport, TransportOptions } from '../transport.js';
import { UnaryCall } from './call.js';
import { H2Connection, type ConnectionEvents } from './connection.js';
import { DeadlineList } from './deadlines.js';
import { callStatus, Status, type CallStatus } from './grpc-status.js';
import { metadataProblem, RequestHeaders } from './request-headers.js';
import { h2Target, type H2Target } from './target.js';

/** Knobs with defaults chosen for a gateway next to its plugin servers; tests turn them down. */
export interface H2Tuning {
  /** Connections per target; calls go to the least busy one. */
  readonly poolSize: number;
  /** Our initial stream window: replies up to this size need no WINDOW_UPDATE round trip. */
  readonly streamWindow: number;
  readonly connectionWindow: number;
  readonly connectTimeoutMs: number;
  /** After a failed connection attempt, calls fail at once (UNAVAILABLE) for this long, growing 1.6x per failure. */
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  /** Streams a call may be given when the server did not process it (GOAWAY, REFUSED_STREAM). */
  readonly maxAttempts: number;
}

export const DEFAULT_H2_TUNING: H2Tuning = {
  poolSize: 1,
  streamWindow: 1024 * 1024,
  connectionWindow: 16 * 1024 * 1024,
  connectTimeoutMs: 20_000,
  backoffInitialMs: 100,
  backoffMaxMs: 5000,
  maxAttempts: 3,
};

/** Whether the lean transport can serve `target` (otherwise grpc-js does). */
export const h2Supports = (target: string): boolean => h2Target(target) !== undefined;

/**
 * The lean transport: unary gRPC over HTTP/2 connections of its own (connection.ts), a small fixed
 * pool per target, per-call deadlines on one timer, and connection management as gRPC clients do
 * it: connect on demand, queue calls while connecting, fail fast with UNAVAILABLE while the server
 * refuses connections (with backoff before the next attempt), reconnect after a drop or GOAWAY,
 * and send again the calls a server declared it never processed.
 */
export class H2Transport implements DispatchTransport, ConnectionEvents {
  private readonly endpoint: H2Target;
  private readonly tuning: H2Tuning;
  private readonly headers: RequestHeaders;
  private readonly slots: (H2Connection | undefined)[];
  private readonly deadlines = new DeadlineList();
  private waiting: UnaryCall[] = [];
  private backoffMs: number;
  private retryAt = 0;
  private lastConnectError = '';
  private closed = false;
  private readonly onExpire = (call: UnaryCall): void => {
    (call.carrier as H2Connection | undefined)?.cancel(call);
    this.settle(call, callStatus(Status.DEADLINE_EXCEEDED, 'Deadline exceeded'));
  };

  constructor(
    readonly target: string,
    private readonly options: TransportOptions,
    tuning: Partial<H2Tuning> = {},
  ) {
    const endpoint = h2Target(target);
    if (endpoint === undefined) throw new Error(`the lean transport cannot serve the target ${target}`);
    this.endpoint = endpoint;
    this.tuning = { ...DEFAULT_H2_TUNING, ...tuning };
    this.backoffMs = this.tuning.backoffInitialMs;
    this.headers = new RequestHeaders(options.authority === '' ? endpoint.authority : options.authority);
    this.slots = new Array<H2Connection | undefined>(Math.max(1, this.tuning.poolSize)).fill(undefined);
  }

  unary(path: string, request: Buffer, deadlineMs: number, metadata: Readonly<Record<string, string>> | undefined): Promise<Buffer> {
    if (this.closed) return Promise.reject(statusError(Status.UNAVAILABLE, 'the transport is closed', this.target, deadlineMs));
    if (request.length > this.options.sendMaxBytes) {
      return Promise.reject(statusError(Status.RESOURCE_EXHAUSTED, `Attempted to send message with a size larger than ${this.options.sendMaxBytes}`, this.target, deadlineMs));
    }
    const problem = metadataProblem(metadata);
    if (problem !== undefined) return Promise.reject(statusError(Status.INTERNAL, problem, this.target, deadlineMs));
    return new Promise<Buffer>((resolve, reject) => {
      const call = new UnaryCall(path, request, metadata, Date.now() + deadlineMs, deadlineMs, resolve, reject, this.onExpire);
      this.deadlines.add(call);
      this.dispatch(call);
    });
  }

  /** New calls fail; calls under way finish (each connection closes when it is idle). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failWaiting(callStatus(Status.UNAVAILABLE, 'the transport is closed'));
    for (const [i, conn] of this.slots.entries()) {
      this.slots[i] = undefined;
      conn?.close();
    }
  }

  // ConnectionEvents

  ready(): void {
    this.backoffMs = this.tuning.backoffInitialMs;
    this.retryAt = 0;
    this.drain();
  }

  capacity(): void {
    if (this.waiting.length > 0) this.drain();
  }

  settle(call: UnaryCall, outcome: Buffer | CallStatus): void {
    if (call.settled) return;
    call.settled = true;
    this.deadlines.remove(call);
    if (outcome instanceof Uint8Array) call.resolve(outcome);
    else call.reject(statusError(outcome.code, outcome.details, this.target, call.timeoutMs));
  }

  unprocessed(call: UnaryCall, status: CallStatus): void {
    if (call.settled) return;
    if (this.closed || call.attempts >= this.tuning.maxAttempts) this.settle(call, status);
    else this.dispatch(call);
  }

  retired(conn: H2Connection, reason: string, everReady: boolean): void {
    const slot = this.slots.indexOf(conn);
    if (slot >= 0) this.slots[slot] = undefined;
    if (everReady) {
      // Dropped or draining after GOAWAY: calls queued behind it go to a fresh connection.
      if (this.waiting.length > 0 && !this.closed) this.fill();
      return;
    }
    this.lastConnectError = reason;
    const jitter = 0.8 + Math.random() * 0.4;
    this.retryAt = Date.now() + this.backoffMs * jitter;
    this.backoffMs = Math.min(this.tuning.backoffMaxMs, this.backoffMs * 1.6);
    if (!this.slots.some((c) => c?.usable === true)) this.failWaiting(this.refusal());
  }

  // Scheduling

  private dispatch(call: UnaryCall): void {
    const conn = this.pick();
    if (conn !== undefined) {
      conn.start(call);
      return;
    }
    if (!this.slots.some((c) => c?.usable === true) && Date.now() < this.retryAt) {
      this.settle(call, this.refusal());
      return;
    }
    this.waiting.push(call);
    this.fill();
  }

  /** The least busy connection that can take a call now. */
  private pick(): H2Connection | undefined {
    let best: H2Connection | undefined;
    for (const conn of this.slots) {
      if (conn !== undefined && conn.available && (best === undefined || conn.active < best.active)) best = conn;
    }
    return best;
  }

  /** Opens connections in empty slots (unless the server refused one a moment ago). */
  private fill(): void {
    if (this.closed || Date.now() < this.retryAt) return;
    for (let i = 0; i < this.slots.length; i++) {
      if (this.slots[i] !== undefined) continue;
      this.slots[i] = new H2Connection(
        {
          connect: this.endpoint.connect,
          headers: this.headers,
          recvMaxBytes: this.options.recvMaxBytes,
          streamWindow: this.tuning.streamWindow,
          connectionWindow: this.tuning.connectionWindow,
          connectTimeoutMs: this.tuning.connectTimeoutMs,
        },
        this,
      );
    }
  }

  /** Starts queued calls while a connection has room. */
  private drain(): void {
    const queue = this.waiting;
    let started = 0;
    while (started < queue.length) {
      const call = queue[started] as UnaryCall;
      if (!call.settled) {
        const conn = this.pick();
        if (conn === undefined) break;
        conn.start(call);
      }
      started++;
    }
    if (started > 0 && this.waiting === queue) this.waiting = queue.slice(started);
  }

  private failWaiting(status: CallStatus): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const call of waiting) this.settle(call, status);
  }

  /** Worded as grpc-js words it, so that a log line reads the same whichever transport is on. */
  private refusal(): CallStatus {
    return callStatus(Status.UNAVAILABLE, `No connection established. Last error: Error: ${this.lastConnectError}. Resolution note: `);
  }
}

import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { ErrorCode } from '../errors/index.js';
import { ClientGoneError, classifyUpstreamError, type ProxyOutcome } from './forward.js';
import { downstreamResponseHeaders } from './headers.js';

export interface BufferedOutcome extends ProxyOutcome {
  /** The whole upstream response, when it arrived and fit. */
  readonly response?: { readonly status: number; readonly headers: readonly string[]; readonly body: Buffer };
}

/**
 * Collects an upstream response whole, for response hooks, instead of writing it to the client.
 * A response larger than `maxBytes` is abandoned (the upstream request is aborted) rather than
 * held in memory.
 */
export class BufferingRelay implements Dispatcher.DispatchHandler {
  private abortUpstream: ((err: Error) => void) | undefined;
  private status = 0;
  private headers: string[] = [];
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private upstreamLatencyMs = -1;
  private settled = false;
  private clientGone = false;
  private readonly onClientClose = () => {
    if (this.settled) return;
    this.clientGone = true;
    this.abortUpstream?.(new ClientGoneError());
  };

  constructor(
    private readonly res: ServerResponse,
    private readonly started: number,
    private readonly maxBytes: number,
    private readonly done: (outcome: BufferedOutcome) => void,
  ) {
    res.once('close', this.onClientClose);
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.clientGone) abort(new ClientGoneError());
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (statusCode < 200) return true;
    this.upstreamLatencyMs = performance.now() - this.started;
    this.status = statusCode;
    this.headers = downstreamResponseHeaders(rawHeaders);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      this.settle({ error: 'HG_ERR_UPSTREAM_TOO_LARGE', cause: new Error(`the upstream response passed ${this.maxBytes} bytes`) });
      this.abortUpstream?.(new Error('response too large for the response hook'));
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    this.settle(undefined);
  }

  onError(err: Error): void {
    this.settle({ error: classifyUpstreamError(err, this.clientGone), cause: err });
  }

  private settle(failure: { error: ErrorCode; cause: unknown } | undefined): void {
    if (this.settled) return;
    this.settled = true;
    this.res.removeListener('close', this.onClientClose);
    const base = { status: this.status, upstreamLatencyMs: this.upstreamLatencyMs };
    if (failure !== undefined) {
      this.done({ ...base, ...failure });
      return;
    }
    this.done({ ...base, response: { status: this.status, headers: this.headers, body: Buffer.concat(this.chunks, this.size) } });
  }
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { ApiSpec } from '../apidef/index.js';
import type { ErrorCode } from '../errors/index.js';
import { BodyTooLargeError, limitedBody } from './body-limit.js';
import { BufferingRelay, type BufferedOutcome } from './buffered.js';
import { CN_MISMATCH, PIN_MISMATCH } from './connector.js';
import { UpstreamPools } from './pools.js';
import { downstreamResponseHeaders, upstreamRequestHead, writeHeadFlat } from './headers.js';
import { OriginGate } from './pool-limit.js';
import { upstreamPathOf, upstreamQueryOf } from './upstream-url.js';

export interface ProxySettings {
  /** Time allowed for connecting and for the upstream's response headers, and between body chunks. */
  readonly timeoutMs: number;
  readonly connectionsPerOrigin: number | null;
  /** With connectionsPerOrigin: requests that may wait for a connection before 503. */
  readonly maxQueuedPerOrigin: number;
  readonly keepAliveTimeoutMs: number;
  readonly trustForwardedHeaders: boolean;
}

/** One request on its way upstream. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly api: ApiSpec;
  readonly method: string;
  /** The routed path (dot segments resolved) and the length of the matched listen path. */
  readonly path: string;
  readonly prefixLength: number;
  readonly query: string;
  /** Flat [name, value, ...] list: the client's raw headers, or as hooks left them. */
  readonly headers: readonly string[];
  /** The body when the gateway holds it (hooks read it); undefined: stream it from the client. */
  readonly buffered: Buffer | undefined;
  readonly clientIp: string;
  /** Headers the gateway adds to the response (rate-limit headers). */
  readonly responseHeaders: readonly string[];
  /** True once the gateway is shutting down: responses then close their connection. */
  readonly closing: () => boolean;
  /** Largest body the client may send (gateway-wide and the API's limit); Infinity: none. */
  readonly maxBodyBytes: number;
}

export interface ProxyOutcome {
  /** The upstream's status, or 0 when it never answered. */
  readonly status: number;
  /** Milliseconds until the upstream's response headers, or -1 when it never answered. */
  readonly upstreamLatencyMs: number;
  /** Set when the exchange failed; the caller answers the client unless the response already started. */
  readonly error?: ErrorCode;
  readonly cause?: unknown;
}

const LOOKUP_FAILURES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

/** OpenSSL's certificate verification results, as node reports them in `code`. */
const CERTIFICATE_FAILURES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_REVOKED', 'INVALID_CA', 'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED', 'HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_INVALID', 'EPROTO', PIN_MISMATCH, CN_MISMATCH,
]);

/** Maps an undici failure to the catalogue. */
export function classifyUpstreamError(err: unknown, clientGone: boolean): ErrorCode {
  const code = errorCodeOf(err);
  if (err instanceof BodyTooLargeError) return 'HG_ERR_REQUEST_TOO_LARGE';
  if (clientGone || err instanceof ClientGoneError) return 'HG_ERR_CLIENT_CLOSED_REQUEST';
  if (code !== undefined && TIMEOUTS.has(code)) return 'HG_ERR_UPSTREAM_TIMEOUT';
  if (code !== undefined && LOOKUP_FAILURES.has(code)) return 'HG_ERR_UPSTREAM_HOST_LOOKUP';
  if (code !== undefined && (CERTIFICATE_FAILURES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'))) return 'HG_ERR_UPSTREAM_TLS';
  return 'HG_ERR_UPSTREAM_UNREACHABLE';
}

function errorCodeOf(err: unknown): string | undefined {
  const direct = (err as { code?: unknown } | null)?.code;
  if (typeof direct === 'string') return direct;
  const nested = (err as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof nested === 'string' ? nested : undefined;
}

/** Raised into undici to abort an upstream request whose client went away. */
export class ClientGoneError extends Error {
  constructor() {
    super('the client closed the connection');
    this.name = 'ClientGoneError';
  }
}

/**
 * Carries one response from undici to the client: headers as the upstream sent them (minus
 * hop-by-hop), the body chunk by chunk with backpressure (undici stops reading the upstream
 * while the client's socket is full), and the outcome once, at the end. This is undici's native
 * handler interface; it needs no AbortController and no header parsing.
 */
class ResponseRelay implements Dispatcher.DispatchHandler {
  private abortUpstream: ((err: Error) => void) | undefined;
  private resumeUpstream: (() => void) | undefined;
  private status = 0;
  private upstreamLatencyMs = -1;
  private settled = false;
  private clientGone = false;
  private readonly onClientClose = () => {
    if (this.settled) return;
    this.clientGone = true;
    this.abortUpstream?.(new ClientGoneError());
  };
  private readonly onDrain = () => this.resumeUpstream?.();

  constructor(
    private readonly x: Exchange,
    private readonly started: number,
    private readonly done: (outcome: ProxyOutcome) => void,
  ) {
    x.res.once('close', this.onClientClose);
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.clientGone) abort(new ClientGoneError());
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true; // interim responses are the gateway's business, not the client's
    if (this.x.res.writableEnded) {
      // The gateway already answered (a limit such as write_timeout fired first).
      this.abortUpstream?.(new ClientGoneError());
      return false;
    }
    this.upstreamLatencyMs = performance.now() - this.started;
    this.status = statusCode;
    this.resumeUpstream = resume;
    const headers = downstreamResponseHeaders(rawHeaders);
    if (this.x.responseHeaders.length > 0) headers.push(...this.x.responseHeaders);
    if (this.x.closing()) headers.push('Connection', 'close');
    writeHeadFlat(this.x.res, statusCode, statusText, headers);
    return true;
  }

  onData(chunk: Buffer): boolean {
    const ok = this.x.res.write(chunk);
    if (!ok) this.x.res.once('drain', this.onDrain);
    return ok;
  }

  onComplete(): void {
    this.x.res.end();
    this.settle(undefined);
  }

  onError(err: Error): void {
    this.settle(err);
  }

  private settle(err: Error | undefined): void {
    if (this.settled) return;
    this.settled = true;
    this.x.res.removeListener('close', this.onClientClose);
    const base = { status: this.status, upstreamLatencyMs: this.upstreamLatencyMs };
    if (err === undefined) {
      this.done(base);
      return;
    }
    this.done({ ...base, error: classifyUpstreamError(err, this.clientGone), cause: err });
  }
}

/** An HTTP/2 request carries a body unless its HEADERS frame ended the stream (no Content-Length needed). */
function http2Body(req: Exchange['req']): boolean {
  if (req.httpVersionMajor !== 2) return false;
  const stream = (req as unknown as { stream?: { endAfterHeaders?: boolean } }).stream;
  return stream?.endAfterHeaders === false;
}

/**
 * Streams requests to upstreams and responses back, over pooled keep-alive connections (undici).
 * Bodies are never held whole: undici reads the client's request as the upstream takes it, and
 * the relay writes the upstream's body to the client with backpressure.
 */
/** Why a request was not sent: the caller answers with `code`. */
export interface Refusal {
  readonly code: ErrorCode;
  readonly reason: string;
}

/** The one log line of a refused exchange. */
export function logRefusal(log: { warn(fields: Record<string, unknown>, message: string): void }, apiId: string, refusal: Refusal): void {
  const message = refusal.code === 'HG_ERR_UPSTREAM_POOL_FULL' ? 'upstream connection pool full: request refused' : 'malformed request refused';
  log.warn({ api_id: apiId, error_code: refusal.code, reason: refusal.reason, ...(refusal.code === 'HG_ERR_UPSTREAM_POOL_FULL' ? { limit: 'upstream_pool' } : {}) }, message);
}

export class UpstreamProxy {
  private readonly pools: UpstreamPools;
  private readonly gate: OriginGate | undefined;

  constructor(private readonly settings: ProxySettings) {
    this.gate = settings.connectionsPerOrigin === null ? undefined : new OriginGate(settings.connectionsPerOrigin + settings.maxQueuedPerOrigin);
    this.pools = new UpstreamPools(settings);
  }

  /** Makes the connection pools these APIs need (at load, not per request) and closes unused ones. */
  prepare(apis: readonly ApiSpec[]): void {
    this.pools.retain(apis.map((api) => api.upstream));
  }

  /**
   * Sends the exchange upstream; `done` is called exactly once. When the request itself is
   * malformed (400) or the origin's pool is full (503), nothing is sent, `done` is not called,
   * and the refusal is returned for the caller to answer.
   */
  forward(x: Exchange, done: (outcome: ProxyOutcome) => void): Refusal | undefined {
    return this.send(x, (started) => new ResponseRelay(x, started, done));
  }

  /**
   * Like `forward`, but the response is collected whole (for response hooks) instead of written:
   * `done` gets it, or `HG_ERR_UPSTREAM_TOO_LARGE` once it passes `maxBytes`.
   */
  forwardBuffered(x: Exchange, maxBytes: number, done: (outcome: BufferedOutcome) => void): Refusal | undefined {
    return this.send(x, (started) => new BufferingRelay(x.res, started, maxBytes, done));
  }

  private send(x: Exchange, handler: (started: number) => Dispatcher.DispatchHandler): Refusal | undefined {
    const { req, api } = x;
    const head = upstreamRequestHead(x.headers, {
      clientIp: x.clientIp,
      proto: (req.socket as { encrypted?: boolean } | null)?.encrypted === true ? 'https' : 'http',
      preserveHost: api.preserveHostHeader,
      trustForwardedHeaders: this.settings.trustForwardedHeaders,
      bufferedBodyLength: x.buffered?.length,
    });
    if (head.invalid !== undefined) return { code: 'HG_ERR_REQUEST_MALFORMED', reason: head.invalid };
    const make = () => handler(performance.now());
    const relay = this.gate === undefined ? make() : this.gate.enter(api.target.origin, make);
    if (relay === undefined) {
      return { code: 'HG_ERR_UPSTREAM_POOL_FULL', reason: `${api.target.origin} has ${this.settings.connectionsPerOrigin} connections busy and ${this.settings.maxQueuedPerOrigin} requests waiting` };
    }
    const query = upstreamQueryOf(api, x.query);
    let body: Dispatcher.DispatchOptions['body'] = null;
    if (x.buffered !== undefined) body = x.buffered.length > 0 ? x.buffered : null;
    else if (head.hasBody || http2Body(req)) body = Number.isFinite(x.maxBodyBytes) && req.headers['content-length'] === undefined ? limitedBody(req, x.maxBodyBytes) : req;
    const path = upstreamPathOf(api, x.path, x.prefixLength);
    const { proxy } = api.upstream;
    // Through a forward proxy, an http:// upstream is asked for in absolute form (https:// ones are tunnelled).
    const absolute = proxy !== undefined && !api.target.secure;
    const headers = absolute && proxy.authorization !== undefined ? [...head.headers, 'Proxy-Authorization', proxy.authorization] : head.headers;
    this.pools.get(api.upstream).dispatch(
      {
        origin: api.target.origin,
        path: `${absolute ? api.target.origin : ''}${path}${query === '' ? '' : `?${query}`}`,
        method: x.method as Dispatcher.HttpMethod,
        headers,
        body,
      },
      relay,
    );
    return undefined;
  }

  /** Waits for in-flight upstream requests, then closes pooled connections. */
  async close(): Promise<void> {
    await this.pools.close();
  }

  /** Aborts everything still in flight. */
  async destroy(): Promise<void> {
    await this.pools.destroy();
  }
}

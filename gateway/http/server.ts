import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createSecureServer } from 'node:http2';
import { createServer as createHttpsServer, type ServerOptions as TlsServerOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { ServerLimits } from '../config/index.js';
import { rawErrorResponse, type ErrorCode, type ErrorResponder, type ErrorResponseSettings } from '../errors/index.js';
import type { ThrottledLog } from '../logging/index.js';

export interface LimitedServerOptions {
  readonly limits: ServerLimits;
  readonly errorSettings: ErrorResponseSettings;
  readonly errors: ErrorResponder;
  /** Component `limits`: one line per refusal kind and second, with how many were suppressed. */
  readonly log: ThrottledLog;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A TLS listener (`use_ssl`): its certificates and client-certificate policy (ServerTls), and HTTP/2. */
export interface ServerTlsOptions {
  readonly options: TlsServerOptions;
  /** `enable_http2`: h2 by ALPN, HTTP/1.1 still served (node's compatibility API). */
  readonly http2: boolean;
}

/** How long a refused connection may linger (its 503 going out) before it is cut. */
const REFUSED_LINGER_MS = 1000;

/**
 * An HTTP server with the client-side limits of docs/limits.md: header and whole-request
 * timeouts (408), header size and count (431), concurrent connections (503), the response
 * deadline (504), the keep-alive idle timeout, and a 400 for anything the parser refuses. Each
 * answer is Tyk's `{"error": ...}` body with `Connection: close`, and each refusal is logged.
 */
export function limitedServer(handler: Handler, options: LimitedServerOptions, tls?: ServerTlsOptions): Server {
  const { limits, log } = options;
  // Node checks the two request timeouts on an interval (30 s by default), which would stretch a
  // 1 s header timeout to 31 s; check at least four times per timeout instead.
  const checkEvery = Math.max(50, Math.min(1000, Math.floor(Math.min(limits.headerTimeoutMs, limits.requestTimeoutMs) / 4)));
  const inFlight = new WeakMap<Socket, { req: IncomingMessage; res: ServerResponse }>();

  const limited: Handler = (req, res) => {
    inFlight.set(req.socket, { req, res });
    // Node keeps at most maxHeadersCount fields and drops the rest silently; one more than the
    // limit is kept, so "more than the limit" is visible here.
    if (req.rawHeaders.length / 2 > limits.maxHeaderCount) {
      refuse(req, res, 'HG_ERR_HEADERS_TOO_LARGE', { limit: 'max_header_count', max: limits.maxHeaderCount }, 'too many request headers');
      return;
    }
    const te = req.headers['transfer-encoding'];
    if (te !== undefined && te.trim().toLowerCase() !== 'chunked') {
      // Node decodes chunked only; a body in any other coding ("gzip, chunked", "identity, chunked")
      // would go upstream without the coding that gives it meaning. RFC 9112 6.1.
      refuse(req, res, 'HG_ERR_REQUEST_MALFORMED', { limit: 'transfer_coding', transfer_encoding: te.slice(0, 100) }, 'unsupported transfer coding refused');
      return;
    }
    const timer = setTimeout(() => {
      if (res.writableEnded) return;
      log.warn('response_timeout', { limit: 'write_timeout', timeout_ms: limits.responseTimeoutMs, method: req.method, url: req.url }, 'response not finished within write_timeout');
      if (res.headersSent) res.destroy();
      else refuse(req, res, 'HG_ERR_RESPONSE_TIMEOUT');
    }, limits.responseTimeoutMs);
    res.once('close', () => clearTimeout(timer));
    handler(req, res);
  };

  function refuse(req: IncomingMessage, res: ServerResponse, code: ErrorCode, fields?: Record<string, unknown>, message?: string): void {
    if (fields !== undefined && message !== undefined) log.warn(String(fields['limit'] ?? code), { ...fields, remote: req.socket.remoteAddress }, message);
    res.setHeader('connection', 'close');
    options.errors.send(req, res, code);
  }

  const httpOptions = {
    headersTimeout: limits.headerTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    maxHeaderSize: limits.maxHeaderBytes,
    connectionsCheckingInterval: checkEvery,
  };
  let server: Server;
  if (tls === undefined) server = createServer(httpOptions, limited);
  else if (!tls.http2) server = createHttpsServer({ ...httpOptions, ...tls.options }, limited) as unknown as Server;
  else server = createSecureServer({ ...(tls.options as object), maxSendHeaderBlockLength: limits.maxHeaderBytes, allowHTTP1: true }, limited as unknown as Parameters<typeof createSecureServer>[1]) as unknown as Server;
  // A failed handshake (a plain-HTTP client, TLS 1.1, no shared cipher) concerns that client only.
  if (tls !== undefined) server.on('tlsClientError', (_err: Error, socket: Socket) => socket.destroy());
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxHeadersCount = limits.maxHeaderCount + 1;

  // A socket's idle keep-alive time ran out: Node closes it only when nobody listens for this.
  // Routine, so only a debug line.
  server.on('timeout', (socket: Socket) => {
    log.debug({ limit: 'keep_alive_timeout', timeout_ms: limits.keepAliveTimeoutMs, remote: socket.remoteAddress }, 'idle keep-alive connection closed');
    socket.destroy();
  });

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const current = inFlight.get(socket);
    const open = current !== undefined && !current.res.writableEnded ? current : undefined;
    // The request in the handler is the one at fault only while its body is still being read;
    // once it is complete, the fault is a request pipelined behind it.
    const pending = open !== undefined && !open.req.complete ? open : undefined;
    let code: ErrorCode = 'HG_ERR_REQUEST_MALFORMED';
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      code = 'HG_ERR_REQUEST_TIMEOUT';
      const phase = pending === undefined ? 'headers' : 'body';
      const timeoutMs = phase === 'headers' ? limits.headerTimeoutMs : limits.requestTimeoutMs;
      log.warn(`timeout:${phase}`, { limit: phase === 'headers' ? 'header_timeout' : 'read_timeout', timeout_ms: timeoutMs, remote: socket.remoteAddress }, `request ${phase} not received in time`);
    } else if (err.code === 'HPE_HEADER_OVERFLOW') {
      code = 'HG_ERR_HEADERS_TOO_LARGE';
      log.warn(code, { limit: 'max_header_bytes', max: limits.maxHeaderBytes, remote: socket.remoteAddress }, 'request headers too large');
    } else {
      log.warn('malformed', { reason: err.code ?? err.message, remote: socket.remoteAddress }, 'malformed request refused');
    }
    if (pending !== undefined) {
      // The handler has the request: answer through its response, unless it already started.
      if (pending.res.headersSent) socket.destroy();
      else refuse(pending.req, pending.res, code);
      return;
    }
    if (open !== undefined) {
      // Let the good request in front finish, then close: the rest of the stream is unusable.
      if (!open.res.headersSent) open.res.setHeader('connection', 'close');
      open.res.once('finish', () => socket.destroySoon());
      return;
    }
    socket.end(rawErrorResponse(code, options.errorSettings));
    setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
  });

  // Over TLS no HTTP answer is possible before a handshake: the refused connection is just closed.
  capConnections(server, limits.maxConnections, tls === undefined ? rawErrorResponse('HG_ERR_TOO_MANY_CONNECTIONS', options.errorSettings) : undefined, log);
  return server;
}

/**
 * Counts open client connections; one over `max` gets a 503 and is closed before the HTTP
 * parser sees it. Node's own maxConnections drops such sockets without a word.
 */
function capConnections(server: Server, max: number, answer: Buffer | undefined, log: ThrottledLog): void {
  if (max === 0) return;
  const listeners = server.listeners('connection');
  const httpListener = listeners[0] as ((socket: Socket) => void) | undefined;
  if (listeners.length !== 1 || httpListener === undefined) throw new Error('limitedServer: expected the HTTP server connection listener');
  server.removeAllListeners('connection');
  let open = 0;
  server.on('connection', (socket: Socket) => {
    if (open >= max) {
      log.warn('max_connections', { limit: 'max_connections', max, remote: socket.remoteAddress }, answer === undefined ? 'too many connections: refused' : 'too many connections: refused with 503');
      if (answer === undefined) {
        socket.destroy();
        return;
      }
      socket.on('error', () => socket.destroy());
      socket.resume();
      socket.end(answer);
      setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
      return;
    }
    open++;
    socket.once('close', () => open--);
    httpListener.call(server, socket);
  });
}

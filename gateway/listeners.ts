import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import { createServer as createHttpsServer, type Server as HttpsServer, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { HookgateError } from './errors/index.js';

/** An HTTP server whose malformed requests get a bare 400 before they reach any handler. */
export function httpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const server = createServer(handler);
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable && err.code !== 'ECONNRESET') socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

/** The TLS variant of httpServer (`use_ssl`); its certificates come from ServerTls. */
export function httpsServer(handler: (req: IncomingMessage, res: ServerResponse) => void, options: ServerOptions): HttpsServer {
  const server = createHttpsServer(options, handler);
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable && err.code !== 'ECONNRESET' && (socket as { encrypted?: boolean }).encrypted === true) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  // A failed handshake (a plain-HTTP client, TLS 1.1, no shared cipher) concerns that client only.
  server.on('tlsClientError', (_err, socket) => socket.destroy());
  return server;
}

/**
 * TLS with HTTP/2 offered by ALPN (`enable_http2`), HTTP/1.1 still served: node's compatibility
 * API gives the handler request and response objects of the same shape.
 */
export function http2Server(handler: (req: IncomingMessage, res: ServerResponse) => void, options: ServerOptions): Http2SecureServer {
  const server = createSecureServer({ ...(options as object), allowHTTP1: true }, handler as unknown as Parameters<typeof createSecureServer>[1]);
  server.on('tlsClientError', (_err, socket) => socket.destroy());
  return server;
}

/** Listens, or rejects with HG_ERR_LISTEN_FAILED saying where and why. */
export function listen(server: Server, address: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const where = `${address === '' ? '*' : address}:${port}`;
      const reason = err.code === 'EADDRINUSE' ? 'the port is already in use' : err.code === 'EACCES' ? 'permission denied' : err.message;
      reject(new HookgateError('HG_ERR_LISTEN_FAILED', `cannot listen on ${where}: ${reason}`, { cause: err }));
    };
    server.once('error', onError);
    server.listen({ port, ...(address === '' ? {} : { host: address }) }, () => {
      server.removeListener('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Stops accepting and resolves once every connection is closed; idle keep-alive ones go at once. */
export function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // An HTTP/2 server has no idle-connection call: close() lets its sessions end after their streams.
  if (typeof server.closeIdleConnections === 'function') server.closeIdleConnections();
  return closed;
}

import assert from 'node:assert/strict';
import type { GatewayProcess } from './gateway-process.js';
import { request, tykError } from './http.js';
import { request as httpRequest, createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { SecureVersion, TLSSocket } from 'node:tls';

/** What a TLS test upstream saw of one request and its connection. */
export interface TlsSeen {
  readonly url: string;
  /** The client certificate's subject CN, or null when none was presented. */
  readonly clientCn: string | null;
  readonly protocol: string | null;
  readonly cipher: string;
  /** With `renegotiate`: whether the renegotiation the upstream asked for completed. */
  readonly renegotiated?: boolean;
}

export interface TlsUpstream {
  readonly port: number;
  readonly origin: string;
  readonly seen: TlsSeen[];
  close(): Promise<void>;
}

export interface TlsUpstreamOptions {
  readonly cert: string;
  readonly key: string;
  /** Ask for a client certificate (not required: the upstream reports what it got). */
  readonly requestCert?: boolean;
  readonly minVersion?: SecureVersion;
  readonly maxVersion?: SecureVersion;
  readonly ciphers?: string;
  /** The host name in `origin` (certificates name 127.0.0.1 or localhost). */
  readonly host?: string;
  /** Renegotiate (TLS 1.2, asking for a client certificate) before answering each request. */
  readonly renegotiate?: boolean;
}

/** An HTTPS upstream on loopback that answers every request with a JSON account of it. */
export async function startTlsUpstream(options: TlsUpstreamOptions): Promise<TlsUpstream> {
  const seen: TlsSeen[] = [];
  const server = createHttpsServer({
    cert: options.cert,
    key: options.key,
    requestCert: options.requestCert ?? false,
    rejectUnauthorized: false,
    ...(options.minVersion === undefined ? {} : { minVersion: options.minVersion }),
    ...(options.maxVersion === undefined ? {} : { maxVersion: options.maxVersion }),
    ...(options.ciphers === undefined ? {} : { ciphers: options.ciphers }),
  }, (req, res) => {
    const socket = req.socket as TLSSocket;
    const answer = (renegotiated?: boolean) => {
      const cn = socket.getPeerCertificate().subject?.CN;
      const entry: TlsSeen = { url: req.url ?? '', clientCn: typeof cn === 'string' ? cn : null, protocol: socket.getProtocol(), cipher: socket.getCipher().name, ...(renegotiated === undefined ? {} : { renegotiated }) };
      seen.push(entry);
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(entry));
    };
    if (options.renegotiate !== true) return answer();
    // A refusal ends the connection with OpenSSL's own alert, which the client reports.
    socket.renegotiate({ requestCert: true, rejectUnauthorized: false }, (err) => {
      if (err === null || err === undefined) answer(true);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { port, origin: `https://${options.host ?? '127.0.0.1'}:${port}`, seen, close: () => closeAll(server) };
}

/** What a forward proxy saw: absolute-form requests and CONNECT tunnels. */
export interface ProxySeen {
  readonly method: string;
  /** The request target as sent: an absolute URL, or host:port for CONNECT. */
  readonly target: string;
  readonly proxyAuthorization: string | undefined;
}

export interface ForwardProxyServer {
  readonly port: number;
  readonly url: string;
  readonly seen: ProxySeen[];
  close(): Promise<void>;
}

/**
 * A forward proxy: relays absolute-form requests and opens CONNECT tunnels. Plain HTTP, or HTTPS
 * with `tls` (an https:// proxy URL: the client speaks TLS to the proxy itself).
 */
export async function startForwardProxy(options: { readonly tls?: { readonly cert: string; readonly key: string } } = {}): Promise<ForwardProxyServer> {
  const seen: ProxySeen[] = [];
  const sockets = new Set<Socket>();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    seen.push({ method: req.method ?? '', target: req.url ?? '', proxyAuthorization: req.headers['proxy-authorization'] });
    const target = new URL(req.url ?? '');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };
  const server: Server = options.tls === undefined ? createHttpServer(handler) : createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler);
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    seen.push({ method: 'CONNECT', target: req.url ?? '', proxyAuthorization: req.headers['proxy-authorization'] });
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream).add(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    seen,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await closeAll(server);
    },
  };
}

async function closeAll(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

const PROXY_ERROR = tykError('There was a problem proxying the request');

/** A GET through a gateway to a TLS test upstream: the status, the body, and what the upstream saw (on 200). */
export async function getThrough(gw: GatewayProcess, path: string): Promise<{ status: number; text: string; seen: TlsSeen | undefined }> {
  const res = await request(gw.url(path));
  return { status: res.status, text: res.text(), seen: res.status === 200 ? (res.json() as TlsSeen) : undefined };
}

/** Asserts the gateway refused to reach the upstream: 502 with Tyk's proxy error. */
export async function assertProxyRefused(gw: GatewayProcess, path: string): Promise<void> {
  const res = await getThrough(gw, path);
  assert.equal(res.status, 502, `${path}: ${res.text}`);
  assert.equal(res.text, PROXY_ERROR);
}

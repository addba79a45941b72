import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The fault suite's upstream: answers small JSON, and counts every request that reached a
 * protected path without a valid credential (the number the suite requires to be 0). It can be
 * made slow, made to reset connections in the middle of a response, and killed (its port closed,
 * every connection dropped, as when the process dies) and started again on the same port.
 */
export type UpstreamMode = { kind: 'ok' } | { kind: 'slow'; ms: number } | { kind: 'reset' };

export interface GuardUpstream {
  readonly origin: string;
  readonly port: number;
  /** Requests that reached the upstream, per first path segment ("o", "t", "p", "y"). */
  readonly arrived: Map<string, number>;
  /** Requests on a protected path whose Authorization was not a valid credential, with what they carried. */
  readonly unauthenticated: { path: string; authorization: string }[];
  setMode(mode: UpstreamMode): void;
  /** Closes the port and drops every connection (a crash, as far as the gateway can tell). */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  revive(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `isValid(path, authorization)` says whether a request to `path` carried a valid credential;
 * `isProtected(path)` whether `path` needs one at all.
 */
export async function startGuardUpstream(isProtected: (path: string) => boolean, isValid: (authorization: string) => boolean): Promise<GuardUpstream> {
  const arrived = new Map<string, number>();
  const unauthenticated: GuardUpstream['unauthenticated'] = [];
  let mode: UpstreamMode = { kind: 'ok' };
  const sockets = new Set<Socket>();
  const handle = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    const path = req.url ?? '/';
    const segment = path.split('/')[1]?.split('?')[0] ?? '';
    arrived.set(segment, (arrived.get(segment) ?? 0) + 1);
    const authorization = String(req.headers['authorization'] ?? '');
    if (isProtected(path) && !isValid(authorization)) unauthenticated.push({ path, authorization });
    req.resume();
    const url = new URL(path, 'http://upstream');
    if (url.pathname.endsWith('/big')) {
      // 1 MiB in 64 chunks, 5 ms apart: a response a client can walk away from in the middle.
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 64 * 16384 });
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed || sent === 64) return void clearInterval(timer);
        sent++;
        if (sent === 64) res.end(Buffer.alloc(16384, 7));
        else res.write(Buffer.alloc(16384, 7));
      }, 5);
      return;
    }
    const delay = Number(url.searchParams.get('delay') ?? '0');
    const body = JSON.stringify({ ok: true, path, bundle: req.headers['x-bundle'] ?? '', pad: 'p'.repeat(256) });
    const current = mode;
    if (current.kind === 'reset') {
      // Headers and half the body, then the connection is torn down.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.write(body.slice(0, 100), () => req.socket.destroy());
      return;
    }
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (current.kind === 'slow' || delay > 0) setTimeout(send, Math.max(delay, current.kind === 'slow' ? current.ms : 0));
    else send();
  };
  let server: Server = createServer(handle);
  const track = (s: Server) =>
    s.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
  track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const shut = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    arrived,
    unauthenticated,
    setMode: (next) => (mode = next),
    kill: shut,
    async revive() {
      server = track(createServer(handle));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
    },
    close: () => (server.listening ? shut() : Promise.resolve()),
  };
}

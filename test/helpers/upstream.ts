import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly bodyBytes: number;
  readonly bodySha256: string;
}

export interface TestUpstream {
  readonly server: Server;
  readonly port: number;
  readonly origin: string;
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

const CHUNK = 64 * 1024;

/** A deterministic byte stream of `total` bytes (each chunk differs), for large-body tests. */
export function patternStream(total: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const size = Math.min(CHUNK, total - sent);
      // Each chunk differs (its index, and its offset in the first bytes), so a lost, repeated or
      // reordered chunk changes the hash.
      const chunk = Buffer.alloc(size, (sent / CHUNK) % 251);
      if (size >= 8) chunk.writeDoubleLE(sent, 0);
      sent += size;
      this.push(chunk);
    },
  });
}

/** SHA-256 of a stream's bytes, and how many there were. */
export async function hashStream(stream: AsyncIterable<Buffer>): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, body: ReceivedRequest) => void;

/**
 * Answers with a JSON echo of what it received, unless a path segment asks for something else:
 * `/slow?ms=N` answers after N ms; `/hang` never answers; `/download?bytes=N` streams N pattern
 * bytes; `/status?code=N` answers with that status. A custom handler replaces all of this.
 */
export async function startUpstream(custom?: UpstreamHandler): Promise<TestUpstream> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream');
    const segments = url.pathname.split('/');
    const has = (name: string) => segments.includes(name);
    if (has('download')) {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, bodyBytes: 0, bodySha256: '' });
      const total = Number(url.searchParams.get('bytes') ?? '0');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
      patternStream(total).pipe(res);
      return;
    }
    if (has('hang')) {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, bodyBytes: 0, bodySha256: '' });
      return;
    }
    void hashStream(req).then(({ sha256, bytes }) => {
      const record: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, bodyBytes: bytes, bodySha256: sha256 };
      received.push(record);
      if (custom !== undefined) {
        custom(req, res, record);
        return;
      }
      const reply = () => {
        const body = JSON.stringify(record);
        const status = has('status') ? Number(url.searchParams.get('code') ?? '200') : 200;
        res.writeHead(status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-upstream': 'test',
          'set-cookie': ['a=1; Path=/', 'b=2; Path=/'],
          'keep-alive': 'timeout=5',
          connection: 'keep-alive, x-hop-by-hop',
          'x-hop-by-hop': 'must not be forwarded',
        });
        res.end(body);
      };
      const delay = has('slow') ? Number(url.searchParams.get('ms') ?? '0') : 0;
      if (delay > 0) setTimeout(reply, delay);
      else reply();
      // A request the client (the gateway) aborts mid-body is no answer to give, not a test failure.
    }, () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    origin: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

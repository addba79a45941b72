import { createServer, type Server } from 'node:http';

/**
 * A small upstream for the quickstart: answers every request with a JSON description of what it
 * received (method, path, query, headers, body size), so you can see what the gateway forwarded.
 */
export function startEchoUpstream(port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://upstream');
      const body = JSON.stringify(
        { upstream: 'quickstart echo', method: req.method, path: url.pathname, query: url.search, headers: req.headers, body_bytes: bodyBytes },
        null,
        2,
      );
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

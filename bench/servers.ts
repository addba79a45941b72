/**
 * Processes the benchmark starts: run as `node dist/bench/servers.js <kind> <port> [target]`.
 * - upstream: answers every request with a small fixed body;
 * - bare-proxy: the Node ceiling, http.request with a keep-alive agent and pipes.
 * Each prints "ready <port>" when it listens.
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const [kind, portArg, target] = process.argv.slice(2);
const port = Number(portArg ?? '0');
const BODY = Buffer.from('{"ok":true,"service":"bench upstream"}');

function ready(server: ReturnType<typeof createServer>) {
  server.listen(port, '127.0.0.1', () => process.stdout.write(`ready ${(server.address() as AddressInfo).port}\n`));
}

if (kind === 'upstream') {
  ready(
    createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
        res.end(BODY);
      });
    }),
  );
} else if (kind === 'bare-proxy') {
  const upstream = new URL(target ?? 'http://127.0.0.1:1');
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  ready(
    createServer((req, res) => {
      const out = request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers, agent },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      out.on('error', () => {
        res.statusCode = 502;
        res.end();
      });
      req.pipe(out);
    }),
  );
} else {
  process.stderr.write(`unknown server kind ${kind}\n`);
  process.exit(2);
}

import { spawn } from 'node:child_process';
import { request as httpsRequest, type Agent } from 'node:https';
import { connect, type SecureVersion } from 'node:tls';
import type { HttpResult } from './http.js';

export interface TlsClientOptions {
  /** CA(s) the client trusts for the server certificate; default: accept any (the tests check names themselves). */
  readonly ca?: string | readonly string[];
  readonly servername?: string;
  /** Client certificate (leaf first, then any chain the client sends) and its key. */
  readonly cert?: string;
  readonly key?: string;
  readonly minVersion?: SecureVersion;
  readonly maxVersion?: SecureVersion;
  readonly ciphers?: string;
}

export interface HttpsResult extends HttpResult {
  /** CN of the certificate the server presented. */
  readonly serverCn: string;
  /** The TLS session was resumed (only with an `agent` that keeps sessions). */
  readonly resumed: boolean;
}

const tlsOptions = (o: TlsClientOptions) => ({
  ...(o.ca === undefined ? { rejectUnauthorized: false } : { ca: o.ca as string | string[], rejectUnauthorized: true }),
  ...(o.servername === undefined ? {} : { servername: o.servername }),
  ...(o.cert === undefined ? {} : { cert: o.cert, key: o.key }),
  ...(o.minVersion === undefined ? {} : { minVersion: o.minVersion }),
  ...(o.maxVersion === undefined ? {} : { maxVersion: o.maxVersion }),
  ...(o.ciphers === undefined ? {} : { ciphers: o.ciphers }),
});

/** One HTTPS request on a fresh connection to 127.0.0.1:`port`. */
export function httpsRequestTo(port: number, path: string, options: TlsClientOptions & { method?: string; headers?: Record<string, string>; body?: string; host?: string; agent?: Agent } = {}): Promise<HttpsResult> {
  return new Promise((resolve, reject) => {
    const headers = { ...(options.host === undefined ? {} : { host: options.host }), ...options.headers };
    const req = httpsRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers, agent: options.agent ?? false, ...tlsOptions(options) }, (res) => {
      const socket = res.socket as import('node:tls').TLSSocket;
      const serverCn = String(socket.getPeerCertificate()?.subject?.CN ?? '');
      const resumed = socket.isSessionReused();
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body, serverCn, resumed, text: () => body.toString('utf8'), json: () => JSON.parse(body.toString('utf8')) as unknown });
      });
    });
    req.setTimeout(10_000, () => req.destroy(new Error('no response within 10 s')));
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface Handshake {
  readonly ok: boolean;
  readonly protocol?: string | null;
  readonly cipher?: string;
  readonly serverCn?: string;
  readonly error?: string;
}

/** A bare TLS handshake: what was negotiated, or why it failed. */
export function handshake(port: number, options: TlsClientOptions = {}): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ...tlsOptions(options) }, () => {
      const result = { ok: true, protocol: socket.getProtocol(), cipher: socket.getCipher().name, serverCn: String(socket.getPeerCertificate()?.subject?.CN ?? '') };
      socket.end();
      resolve(result);
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('handshake timed out')));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, error: err.code ?? err.message }));
  });
}

/** Runs `openssl s_client` against 127.0.0.1:`port` with `args`; resolves with its output. */
export function opensslClient(port: number, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.stdin.end('');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

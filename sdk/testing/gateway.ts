import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Plugin } from '../plugin.js';

/** What the harness's echo upstream received for one request. */
export interface UpstreamRecord {
  readonly method: string;
  /** Path and query as the upstream saw them (listen path stripped). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface HarnessResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  text(): string;
  json(): unknown;
}

export interface GatewayHarnessOptions {
  /** The plugin, served in this process on 127.0.0.1:0 for the gateway to call. */
  readonly plugin: Plugin;
  /** Merged into the generated API definition (hooks, auth flags, config_data, ...). */
  readonly api?: Record<string, unknown>;
  /** tyk.conf overrides; by default the gateway listens on 127.0.0.1:0 with the in-memory store. */
  readonly config?: Record<string, unknown>;
  /** The API's listen path; default `/api/`. */
  readonly listenPath?: string;
}

export interface GatewayHarness {
  /** Sends a request through the gateway; `path` starts with the listen path. */
  request(path: string, init?: { method?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<HarnessResponse>;
  /** Requests the echo upstream received, oldest first; `last()` is the newest. */
  readonly upstream: { readonly requests: readonly UpstreamRecord[]; last(): UpstreamRecord | undefined };
  /** The gateway's log lines (JSON objects), for asserting on what it reported. */
  readonly logs: readonly Record<string, unknown>[];
  readonly url: string;
  /** Stops the gateway, the plugin server and the upstream. */
  close(): Promise<void>;
}

async function startEcho(records: UpstreamRecord[]): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      records.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const body = JSON.stringify({ echo: true, method: req.method, url: req.url });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/**
 * A real Hookgate gateway around a plugin, for end-to-end tests: the plugin is served in this
 * process, an echo upstream records what reaches it, and the gateway (the same code `hookgate
 * start` runs, on the in-memory store) calls the plugin over gRPC. No network beyond loopback,
 * no Redis. Problems in the generated config or API definition fail the call with every message.
 *
 * @example
 * const gw = await startGateway({ plugin, api: { enable_coprocess_auth: true, custom_middleware: { driver: 'grpc', auth_check: { name: 'MyAuthMiddleware' } } } });
 * try {
 *   assert.equal((await gw.request('/api/x', { headers: { Authorization: KEY } })).status, 200);
 * } finally {
 *   await gw.close();
 * }
 */
export async function startGateway(options: GatewayHarnessOptions): Promise<GatewayHarness> {
  // The gateway is loaded only here: in-process and over-the-wire tests do not pay for it.
  const [{ serve }, gateway] = await Promise.all([import('../server/serve.js'), import('../../gateway/index.js')]);
  const records: UpstreamRecord[] = [];
  const upstream = await startEcho(records);
  const plugin = await serve(options.plugin, { address: '127.0.0.1:0', signals: false, logLevel: 'silent' });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const stopSupport = async () => {
    await plugin.close({ graceMs: 0 });
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  };
  const { config, errors } = gateway.loadConfigDocument({
    listen_address: '127.0.0.1',
    listen_port: 0,
    storage: { type: 'memory' },
    secret: 'harness-secret',
    ...options.config,
    coprocess_options: { enable_coprocess: true, coprocess_grpc_server: plugin.address, ...((options.config?.['coprocess_options'] as object | undefined) ?? {}) },
  });
  if (config === undefined) {
    await stopSupport();
    throw new Error(`startGateway: the generated tyk.conf is invalid:\n${errors.map((e) => e.message).join('\n')}`);
  }
  const document = {
    api_id: 'harness',
    name: 'harness API',
    org_id: 'default',
    use_keyless: false,
    proxy: { listen_path: options.listenPath ?? '/api/', target_url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, strip_listen_path: true },
    ...options.api,
  };
  const apis = gateway.loadApiDocuments([{ file: '(harness)', document }], gateway.apiLoadContextOf(config));
  const problems = apis.refused.flatMap((r) => r.errors.map((e) => e.message));
  if (problems.length > 0) {
    await stopSupport();
    throw new Error(`startGateway: the API definition is refused:\n${problems.join('\n')}`);
  }
  const root = gateway.createRootLogger({ level: 'info', format: 'json', destination: sink });
  const running = await gateway.startGateway(config, { logger: root.logger, accessLog: root.accessLog, apis });
  const base = `http://127.0.0.1:${running.port}`;
  return {
    url: base,
    logs,
    upstream: { requests: records, last: () => records[records.length - 1] },
    request: (path, init = {}) =>
      new Promise((resolve, reject) => {
        const req = httpRequest(`${base}${path}`, { method: init.method ?? 'GET', headers: init.headers ?? {}, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: () => body.toString('utf8'), json: () => JSON.parse(body.toString('utf8')) as unknown });
          });
        });
        req.on('error', reject);
        req.end(init.body);
      }),
    async close() {
      await running.shutdown(0);
      await stopSupport();
    },
  };
}

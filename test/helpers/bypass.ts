import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGatewayProcess, type GatewayOptions, type GatewayProcess } from './gateway-process.js';
import { request, tykError, type HttpResult } from './http.js';
import { backendStorage, type RedisServer } from './redis.js';
import { httpsRequestTo, type TlsClientOptions } from './tls.js';
import { startUpstream, type TestUpstream } from './upstream.js';

/**
 * The auth bypass corpus's bed: a real `hookgate start` process (debug logs and access logs on,
 * so whatever a refusal logs is there to be searched), an upstream that records every arrival, and
 * optionally a real redis-server for sessions. Each attempt asserts Tyk's status and error body,
 * that the upstream saw nothing, and that no value the client sent as a credential appears
 * anywhere in what the gateway wrote (standard output, where its log lines go, and standard
 * error; Hookgate has no log file).
 */
export interface Attempt {
  /** Path on the gateway; a unique one is best, the access line for it is what the check waits for. */
  readonly path: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Send over TLS with these client options (the gateway must listen with TLS). */
  readonly tls?: TlsClientOptions;
  /** Values that must never reach a log: tokens, passwords, signatures, secrets, encodings of them. */
  readonly secrets: readonly string[];
  readonly status: number;
  /** Tyk's `{"error": ...}` text; or give `body` for another exact body. */
  readonly error?: string;
  readonly exactBody?: string;
}

export interface BypassBed {
  readonly gw: GatewayProcess;
  readonly up: TestUpstream;
  /** The redis-server's port, when the bed runs on Redis. */
  readonly redisPort: number | undefined;
  /** Sends the attempt and checks it was refused as Tyk refuses it; returns the response. */
  refused(attempt: Attempt): Promise<HttpResult>;
  /** Sends a request expected to pass (a control case), returning the response. */
  send(attempt: Omit<Attempt, 'status' | 'secrets'> & { secrets?: readonly string[] }): Promise<HttpResult>;
  /** Every secret sent so far is absent from the whole output; call after the gateway stopped too. */
  assertNothingLogged(extra?: readonly string[]): void;
  stop(): Promise<void>;
}

export interface BedOptions extends GatewayOptions {
  /** Sessions on a real redis-server (skipped off CI when it is not installed). */
  readonly redis?: boolean;
}

/** What a value looks like once pino has written it inside a JSON string. */
const jsonForm = (value: string) => JSON.stringify(value).slice(1, -1);

/**
 * Starts the bed, or returns undefined when it needs Redis and redis-server is missing off CI
 * (on CI that is a failure, as everywhere in the suite).
 */
export async function startBypassBed(options: (up: TestUpstream) => BedOptions): Promise<BypassBed | undefined> {
  const up = await startUpstream();
  const given = options(up);
  let redis: RedisServer | undefined;
  let storage: Record<string, unknown> | undefined;
  if (given.redis === true) {
    const backing = await backendStorage('redis');
    if (backing === undefined) {
      await up.close();
      return undefined;
    }
    redis = backing.redis;
    storage = backing.storage;
  }
  const gw = await startGatewayProcess({
    ...given,
    config: { log_level: 'debug', access_logs: { enabled: true }, ...(storage === undefined ? {} : { storage }), ...given.config },
  });
  const sent = new Set<string>();
  let stopped = false;

  const output = () => `${gw.stdout()}\n${gw.stderr()}`;
  /** Each value found, with the line it was found on (the value itself masked). */
  const leaks = (values: Iterable<string>) => {
    const lines = output().split('\n');
    const found: string[] = [];
    for (const v of values) {
      if (v.length < 4) continue;
      const line = lines.find((l) => l.includes(v) || l.includes(jsonForm(v)));
      if (line !== undefined) found.push(`${v.slice(0, 6)}... in: ${line.split(v).join('<SENT>').split(jsonForm(v)).join('<SENT>').slice(0, 400)}`);
    }
    return found;
  };
  const assertNothingLogged = (extra: readonly string[] = []) => {
    const found = leaks([...sent, ...extra]);
    assert.deepEqual(found, [], `credentials found in the gateway's output:\n${found.join('\n')}`);
  };

  const send = async (attempt: Omit<Attempt, 'status' | 'secrets'> & { secrets?: readonly string[] }): Promise<HttpResult> => {
    for (const secret of attempt.secrets ?? []) sent.add(secret);
    const common = { method: attempt.method ?? 'GET', headers: attempt.headers ?? {}, ...(attempt.body === undefined ? {} : { body: attempt.body }) };
    return attempt.tls === undefined ? request(gw.url(attempt.path), common) : httpsRequestTo(gw.port, attempt.path, { ...attempt.tls, ...common });
  };

  /** Waits until the gateway has written what it logs for this request (its access line comes last). */
  const logged = async (path: string) => {
    const pathname = path.split('?')[0] ?? path;
    if (pathname.startsWith('/tyk/')) {
      // The control API writes no access line; log lines wait at most 100 ms before they are written.
      await sleep(400);
      return;
    }
    await gw.waitForLog((l) => l['component'] === 'access' && l['path'] === pathname, 10_000);
  };

  return {
    gw,
    up,
    redisPort: redis?.port,
    send,
    async refused(attempt) {
      const before = up.received.length;
      const res = await send(attempt);
      const expected = attempt.exactBody ?? tykError(attempt.error ?? '');
      assert.equal(res.status, attempt.status, `${attempt.path}: ${res.text()}`);
      assert.equal(res.text(), expected);
      assert.equal(up.received.length, before, 'nothing reached the upstream');
      await logged(attempt.path);
      const found = leaks(attempt.secrets);
      assert.deepEqual(found, [], `credentials found in the gateway's output:\n${found.join('\n')}`);
      assert.equal(gw.child.exitCode, null, 'the gateway is still running');
      return res;
    },
    assertNothingLogged,
    async stop() {
      if (stopped) return;
      stopped = true;
      await gw.stop();
      await up.close();
      await redis?.stop();
    },
  };
}

/** Basic auth's header value. */
export const basicHeader = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export interface BedHandle {
  readonly bed: BypassBed;
  /** Skips the test (true) when the bed needs Redis and redis-server is not installed (off CI). */
  skip(t: { skip: (message: string) => void }): boolean;
}

/**
 * For a describe block: starts the bed before its tests, stops it after, and adds its last test,
 * which stops the gateway (so everything it buffered is written) and searches the whole output
 * for every credential the block sent.
 */
export function useBypassBed(options: (up: TestUpstream) => BedOptions): BedHandle {
  let bed: BypassBed | undefined;
  let missing = false;
  before(async () => {
    bed = await startBypassBed(options);
    missing = bed === undefined;
  });
  after(() => bed?.stop());
  const handle: BedHandle = {
    get bed() {
      if (bed === undefined) throw new Error('the bed did not start');
      return bed;
    },
    skip: (t) => (missing ? (t.skip('redis-server is not installed'), true) : false),
  };
  return handle;
}

/** The last test of a block: after shutdown, nothing the block sent is in the gateway's output. */
export function nothingLoggedAfterShutdown(handle: BedHandle): void {
  it('after shutdown, no credential this block sent is anywhere in the gateway\'s output (stdout, stderr)', async (t) => {
    if (handle.skip(t)) return;
    await handle.bed.stop();
    handle.bed.assertNothingLogged();
  });
}

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PACKAGE_ROOT } from '../../gateway/meta.js';
import { keylessApi, pluginApi } from './apis.js';
import { control, keySession, SECRET } from './control.js';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import { startGuardUpstream, type GuardUpstream } from './guard-upstream.js';
import { request } from './http.js';
import type { LoadTarget } from './load.js';
import { freePort } from './ports.js';
import { bridgeStarts, pythonApi, workerChildren, writeBundle } from './python.js';
import { startRedis, type RedisServer } from './redis.js';
import { tempDir, type TempDir } from './tmp.js';

/**
 * The fault suite's test bed: a real gateway process, a real redis-server (or a Redis Cluster's
 * seeds), a gateway-supervised plugin sidecar that can be told to misbehave
 * (test/fixtures/fault-plugin), optionally a Python bundle, and the guard upstream that counts
 * unauthenticated arrivals. APIs: keyless /open/, auth token on Redis /tok/, plugin auth /plug/,
 * Python plugin auth /py/.
 */

export const ORG = 'fault-org';
export const FAULT_PLUGIN = join(PACKAGE_ROOT, 'dist', 'test', 'fixtures', 'fault-plugin.js');
export const TOKENS = ['tok-valid-1', 'tok-valid-2', 'tok-valid-3'];
export const PLUGIN_TOKEN = 'good-plugin-user';
export const PYTHON_TOKEN = 'py-valid-token';
/**
 * The deadline of every gRPC hook call unless a bed says otherwise: generous, so a loaded shared
 * machine does not fail calls the test expects to succeed; the plugin fault tests use 500 ms.
 */
export const DISPATCH_TIMEOUT_MS = 2000;
/** The Python API's deadline (the hung-worker fault holds its workers past it). */
export const PYTHON_TIMEOUT_MS = 1000;
/** The storage command timeout (tyk.conf `storage.timeout`, seconds) of the Redis fault beds; Redis slow sleeps past it. */
export const STORAGE_TIMEOUT_S = 2;
export const RECV_MAX_BYTES = 1024 * 1024;
/** DEBUG SLEEP (Redis slow) is off by default since Redis 7, whose option Redis 6 does not know. */
const REDIS_MAJOR = Number(/v=(\d+)/.exec(spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? '0');
const REDIS_ARGS = REDIS_MAJOR >= 7 ? ['--enable-debug-command', 'yes'] : [];

const PYTHON_AUTH = `import time

from gateway import TykGateway as tyk


def PyAuth(request, session, metadata, spec):
    # X-Hold: milliseconds to keep the worker busy (to kill a worker in the middle of a call).
    hold = request.get_header("X-Hold")
    if hold:
        time.sleep(int(hold) / 1000)
    if request.get_header("Authorization") == "${PYTHON_TOKEN}":
        metadata["token"] = "${PYTHON_TOKEN}"
    return request, session, metadata
`;

const writePythonAuth = (dir: TempDir, folder: string) =>
  writeBundle(dir, folder, { file_list: ['middleware.py'], custom_middleware: { driver: 'python', auth_check: { name: 'PyAuth' } } }, { 'middleware.py': PYTHON_AUTH });
const pythonAuthApi = (origin: string, bundle: string) =>
  pythonApi('py', '/py/', origin, bundle, { org_id: ORG, hookgate: { bundle_path: bundle, dispatch_timeout_ms: PYTHON_TIMEOUT_MS } });

export interface BedOptions {
  readonly python?: boolean;
  /** Storage: a single redis-server started here (default), or the given storage config. */
  readonly storage?: Record<string, unknown>;
  /** proxy_default_timeout in seconds (default 10: a loaded machine must not turn slowness into 504s). */
  readonly proxyTimeoutS?: number;
  /** tyk.conf `storage.timeout` in seconds for the bed's own redis-server (default 5, Tyk's). */
  readonly storageTimeoutS?: number;
  /** The Dispatch transport (`coprocess_options.transport`): h2 (the default) or grpc-js. */
  readonly transport?: 'grpc-js' | 'h2';
  /** The deadline of gRPC hook calls (default DISPATCH_TIMEOUT_MS). */
  readonly dispatchTimeoutMs?: number;
  /** More API definitions, given the upstream's origin. */
  readonly apis?: (origin: string) => Record<string, unknown>;
  /** Extra tyk.conf fields. */
  readonly config?: Record<string, unknown>;
}

export interface FaultBed {
  readonly gw: GatewayProcess;
  readonly up: GuardUpstream;
  /** The single redis-server, when the bed started one (with an append-only file, so keys survive a restart). */
  redis: RedisServer | undefined;
  readonly dir: TempDir;
  /** Every API, with a valid credential and with a wrong and with no credential. */
  readonly targets: LoadTarget[];
  /** Tells the plugin sidecar how to behave (`ms`: the sleep of slow, the KiB of huge). */
  pluginMode(mode: 'ok' | 'slow' | 'malformed' | 'huge' | 'close' | 'error', ms?: number): Promise<void>;
  /** The running plugin sidecar's pid (the latest one launched). */
  pluginPid(): number;
  /** The Python bridge's pid and its workers' pids. */
  python(): { bridgePid: number; workers: number[] };
  /** Writes the Python auth bundle into another folder of the bed (a "new version" for reloads). */
  writePythonBundle(folder: string): Promise<string>;
  /** Rewrites the Python API's definition to use the bundle folder `path` (takes effect at the next reload). */
  pointPython(path: string): Promise<void>;
  /** Stops redis-server with SIGKILL, then starts it again on the same port and data folder. */
  killRedis(): Promise<void>;
  startRedisAgain(): Promise<void>;
  /** Open file descriptors of the gateway process. */
  fds(): number;
  stop(): Promise<void>;
}

export const targetsFor = (python: boolean): LoadTarget[] => [
  { name: 'keyless', path: '/open/o', authenticated: true },
  { name: 'token', path: '/tok/t', headers: { authorization: TOKENS[0] as string }, authenticated: true },
  { name: 'token', path: '/tok/t', headers: { authorization: 'tok-valid-1x' }, authenticated: false },
  { name: 'plugin', path: '/plug/p', headers: { authorization: PLUGIN_TOKEN }, authenticated: true },
  { name: 'plugin', path: '/plug/p', headers: { authorization: 'bad-plugin-user' }, authenticated: false },
  { name: 'token', path: '/tok/t', headers: { authorization: TOKENS[1] as string }, authenticated: true },
  { name: 'plugin', path: '/plug/p', authenticated: false },
  ...(python
    ? [
        { name: 'python', path: '/py/y', headers: { authorization: PYTHON_TOKEN }, authenticated: true },
        { name: 'python', path: '/py/y', headers: { authorization: 'py-wrong' }, authenticated: false },
      ]
    : []),
  { name: 'token', path: '/tok/t', authenticated: false },
];

const VALID = new Set([...TOKENS, PLUGIN_TOKEN, PYTHON_TOKEN]);

export async function startFaultBed(options: BedOptions = {}): Promise<FaultBed> {
  const dir = await tempDir('hookgate-faults-');
  const redisData = join(dir.path, 'redis');
  await dir.write('redis/.keep', '');
  let redis = options.storage === undefined ? await startRedis(undefined, redisData, REDIS_ARGS) : undefined;
  // The protected APIs' upstream paths (listen path stripped): /t (token), /p (plugin), /y (Python).
  const up = await startGuardUpstream((path) => /^\/[tpy](\/|\?|$)/.test(path), (auth) => VALID.has(auth));
  const controlPort = await freePort();
  const address = `unix://${join(dir.path, 'plugin.sock')}`;
  const apis: Record<string, unknown> = {
    'open.json': keylessApi('open', '/open/', up.origin, {}, { org_id: ORG }),
    'tok.json': { ...keylessApi('tok', '/tok/', up.origin, {}, { org_id: ORG }), use_keyless: false },
    'plug.json': pluginApi('plug', '/plug/', up.origin, { auth_check: { name: 'Auth' } }, { org_id: ORG }),
  };
  Object.assign(apis, options.apis?.(up.origin) ?? {});
  if (options.python === true) {
    apis['py.json'] = pythonAuthApi(up.origin, await writePythonAuth(dir, 'pyauth'));
  }
  // Tyk's 5 s storage timeout unless a bed needs a short one: at load average 25 to 35, 1 s and
  // even 2 s turned CPU starvation of the gateway into 503s the test had not injected.
  const storage = options.storage ?? { type: 'redis', host: '127.0.0.1', port: redis?.port, timeout: options.storageTimeoutS ?? 5 };
  const gw = await startGatewayProcess({
    readyTimeoutMs: 60_000,
    config: {
      secret: SECRET,
      storage,
      proxy_default_timeout: options.proxyTimeoutS ?? 10,
      graceful_shutdown_timeout_duration: 5,
      coprocess_options: {
        enable_coprocess: true,
        ...(options.transport === undefined ? {} : { transport: options.transport }),
        coprocess_grpc_server: 'sidecar:faulty',
        dispatch_timeout_ms: options.dispatchTimeoutMs ?? DISPATCH_TIMEOUT_MS,
        grpc_recv_max_size: RECV_MAX_BYTES,
        python_workers: 2,
        sidecars: [
          {
            name: 'faulty',
            command: process.execPath,
            args: [FAULT_PLUGIN, '--address', address, '--control-port', String(controlPort)],
            address,
            restart_backoff_initial_ms: 100,
            restart_backoff_max_ms: 500,
            stop_grace_ms: 1000,
          },
        ],
      },
      ...options.config,
    },
    apis,
  });
  for (const token of TOKENS) {
    const created = await control(gw.url(''), 'POST', `/tyk/keys/${token}`, keySession('tok', ORG, { rate: 1_000_000, per: 1 }));
    if (created.status !== 200) throw new Error(`creating key ${token}: ${created.status} ${created.text()}`);
  }
  const bed: FaultBed = {
    gw,
    up,
    redis,
    dir,
    targets: targetsFor(options.python === true),
    async pluginMode(mode, ms = 0) {
      const res = await request(`http://127.0.0.1:${controlPort}/mode?m=${mode}&ms=${ms}`, { method: 'PUT', timeoutMs: 5000 });
      if (res.status !== 200) throw new Error(`fault-plugin control: ${res.status}`);
    },
    writePythonBundle: (folder) => writePythonAuth(dir, folder),
    pointPython: (path) => writeFile(join(gw.dir.path, 'apps', 'py.json'), JSON.stringify(pythonAuthApi(up.origin, path))),
    pluginPid() {
      const pids = gw.logs.filter((l) => l['component'] === 'sidecar' && String(l.msg).startsWith('fault-plugin pid ')).map((l) => Number(String(l.msg).slice(17)));
      const pid = pids.at(-1);
      if (pid === undefined) throw new Error('no fault-plugin pid in the gateway log');
      return pid;
    },
    python() {
      const start = bridgeStarts(gw).at(-1);
      if (start === undefined) throw new Error('no Python bridge started');
      return { bridgePid: start.bridgePid, workers: workerChildren(start.bridgePid) };
    },
    async killRedis() {
      if (redis === undefined) throw new Error('this bed has no single redis-server');
      redis.process.kill('SIGKILL');
      await redis.stop();
    },
    async startRedisAgain() {
      if (redis === undefined) throw new Error('this bed has no single redis-server');
      redis = await startRedis(redis.port, redisData, REDIS_ARGS);
      bed.redis = redis;
    },
    fds: () => readdirSync(`/proc/${gw.pid}/fd`).length,
    async stop() {
      await gw.stop();
      // A gateway stopped the hard way leaves its bridge sockets' run folder behind.
      const args = gw.logs.find((l) => l.msg === 'sidecar launched' && Array.isArray(l['args']) && (l['args'] as string[]).includes('--listen'))?.['args'] as string[] | undefined;
      const socket = args?.[args.indexOf('--listen') + 1]?.replace(/^unix:\/\//, '');
      if (socket !== undefined) await rm(dirname(socket), { recursive: true, force: true });
      await up.close();
      await redis?.stop();
      await dir.remove();
    },
  };
  return bed;
}

import { spawn, type ChildProcess } from 'node:child_process';
import { hasProgram } from './programs.js';
import { freePort } from './ports.js';

export interface RedisServer {
  readonly port: number;
  readonly process: ChildProcess;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * A real redis-server on a free loopback port. Without `dataDir` it keeps nothing on disk; with
 * one it writes an append-only file there, so a restart on the same port and folder keeps its data.
 * Retries if the port was taken. `extraArgs` are more redis-server options (`--enable-debug-command yes`).
 */
export async function startRedis(port?: number, dataDir?: string, extraArgs: readonly string[] = []): Promise<RedisServer> {
  for (let attempt = 0; ; attempt++) {
    const chosen = port ?? (await freePort());
    try {
      return await spawnRedis(chosen, dataDir, extraArgs);
    } catch (err) {
      if (attempt >= 4 || port !== undefined) throw err;
    }
  }
}

function spawnRedis(port: number, dataDir: string | undefined, extraArgs: readonly string[]): Promise<RedisServer> {
  const persistence = dataDir === undefined ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dataDir];
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start on port ${port}: ${output}`));
    }, 10_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve({
          port,
          process: child,
          async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}) before it was ready: ${output}`));
    });
  });
}

export type Backend = 'memory' | 'redis';

/**
 * The tyk.conf `storage` section for a test backend, starting a redis-server for "redis".
 * Undefined when redis-server is not installed and this is not CI (the suite skips itself); on CI
 * a missing redis-server fails.
 */
export async function backendStorage(backend: Backend): Promise<{ storage: Record<string, unknown>; redis: RedisServer | undefined } | undefined> {
  if (backend === 'memory') return { storage: { type: 'memory' }, redis: undefined };
  if (!hasProgram('redis-server') && process.env['CI'] !== 'true') return undefined;
  const redis = await startRedis();
  return { storage: { type: 'redis', host: '127.0.0.1', port: redis.port }, redis };
}

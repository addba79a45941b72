/**
 * Runs hooks on a pool of worker threads (tinypool), so CPU-heavy hooks (hashing, signature
 * checks) use every core while the server thread only moves bytes. Each worker runs one call at a
 * time. A call the gateway cancels (or whose deadline passes) is dropped from the queue, and a
 * worker still running it is terminated and replaced: nothing keeps burning a core for a call
 * nobody waits for.
 */
import { Tinypool } from 'tinypool';
import type { Logger } from 'pino';
import { SdkError } from '../errors.js';
import type { Plugin } from '../plugin.js';
import { ownedBytes, type WorkerRequest, type WorkerResponse, type WorkerStart } from './messages.js';

const WORKER_FILE = new URL('./worker.js', import.meta.url);
/** How long a worker may take to import the plugin's module. */
const START_TIMEOUT_MS = 30_000;

export interface HookPoolOptions {
  readonly threads: number;
  readonly logLevel: string;
  readonly log: Logger;
}

export class HookPool {
  readonly threads: number;
  private readonly pool: Tinypool;

  private constructor(pool: Tinypool, threads: number) {
    this.pool = pool;
    this.threads = threads;
  }

  /** Starts the workers and waits until one has loaded the plugin and found the same hooks. */
  static async start<C>(plugin: Plugin<C>, options: HookPoolOptions): Promise<HookPool> {
    if (plugin.module === undefined) {
      throw new SdkError('HG_ERR_SDK_SERVE_FAILED', `threads need the module that defines plugin ${JSON.stringify(plugin.name)}: definePlugin({ module: import.meta.url, ... })`);
    }
    const start: WorkerStart = { type: 'start', module: plugin.module, pluginName: plugin.name, logLevel: options.logLevel };
    const pool = new Tinypool({
      filename: WORKER_FILE.href,
      minThreads: options.threads,
      maxThreads: options.threads,
      workerData: start,
      // Workers stay: starting one costs tens of milliseconds and a module import.
      idleTimeout: 2 ** 31 - 1,
    });
    const hookPool = new HookPool(pool, options.threads);
    try {
      const ready = await hookPool.run({ type: 'ping' }, [], AbortSignal.timeout(START_TIMEOUT_MS)).catch((err: unknown) => {
        if (!(err instanceof SdkError) || err.code !== 'HG_ERR_SDK_CANCELLED') throw err;
        throw new SdkError(
          'HG_ERR_SDK_WORKER_FAILED',
          `the plugin module ${plugin.module} did not finish loading in a worker thread within ${START_TIMEOUT_MS / 1000} s; does it await something at its top level (such as server.closed)? Define the plugin in a module that does not serve it`,
        );
      });
      if (ready.type === 'failure') throw new SdkError(ready.code, ready.message);
      if (ready.type !== 'ready') throw new SdkError('HG_ERR_SDK_WORKER_FAILED', `a hook worker answered the start check with ${ready.type}`);
      const here = plugin.hooks.map((h) => `${h.name}:${h.kind}`).join(',');
      const there = ready.hooks.map((h) => `${h.name}:${h.kind}`).join(',');
      if (here !== there) {
        throw new SdkError('HG_ERR_SDK_WORKER_FAILED', `the plugin a worker loaded from ${plugin.module} defines other hooks (${there || 'none'}) than the one being served (${here || 'none'}); define hooks at the top level of that module`);
      }
      options.log.debug({ threads: options.threads, module: plugin.module }, 'hook worker threads ready');
      return hookPool;
    } catch (err) {
      await pool.destroy();
      throw err instanceof SdkError ? err : new SdkError('HG_ERR_SDK_WORKER_FAILED', `hook worker threads failed to start: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Runs a Dispatch call on a worker; resolves with the reply bytes, rejects with an SdkError. */
  async dispatch(bytes: Uint8Array, deadline: number | undefined, cancelled: AbortSignal): Promise<Buffer> {
    const own = ownedBytes(bytes);
    const response = await this.run({ type: 'dispatch', bytes: own, deadline: deadline ?? null }, [own.buffer as ArrayBuffer], cancelled);
    switch (response.type) {
      case 'reply':
        return Buffer.from(response.bytes.buffer, response.bytes.byteOffset, response.bytes.byteLength);
      case 'failure': {
        const cause = response.cause === null ? undefined : Object.assign(new Error(response.cause.message), { name: response.cause.name, stack: response.cause.stack });
        throw new SdkError(response.code, response.message, { cause, hook: response.hook ?? undefined });
      }
      case 'ready':
        throw new SdkError('HG_ERR_SDK_INTERNAL', 'a hook worker answered a call with "ready"');
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }

  private async run(request: WorkerRequest, transferList: ArrayBuffer[] = [], signal?: AbortSignal): Promise<WorkerResponse> {
    try {
      return (await this.pool.run(request, { transferList, signal: signal ?? null })) as WorkerResponse;
    } catch (err) {
      if ((err as Error).name === 'AbortError') {
        throw new SdkError('HG_ERR_SDK_CANCELLED', 'the call was cancelled or its deadline passed while queued or running on a worker thread (a running worker is replaced)', { cause: err });
      }
      throw new SdkError('HG_ERR_SDK_WORKER_FAILED', `a hook worker thread failed: ${(err as Error).message}`, { cause: err });
    }
  }
}

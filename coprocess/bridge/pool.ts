import { performance } from 'node:perf_hooks';
import type { Logger } from '../../gateway/logging/index.js';
import { BridgeError } from './errors.js';
import type { ReadyMessage, WireObject } from './messages.js';
import { PythonWorker, type WorkerHost } from './python-worker.js';

export interface PoolOptions {
  readonly size: number;
  readonly python: string;
  readonly bundleDir: string;
  readonly paths: readonly string[];
  /** Caps every call, also those that come without a gRPC deadline (Tyk sends none). */
  readonly callTimeoutMs: number;
  /** How long a worker may take to start and import the bundle. */
  readonly startTimeoutMs: number;
  readonly log: Logger;
  /** The plugin's own output (tyk.log goes through `host`; prints come here). */
  readonly pluginLog: Logger;
  readonly host: WorkerHost;
}

/**
 * After a call's deadline the worker running it gets this long to answer before it is killed and
 * replaced: a hook that is merely slow keeps its worker, one stuck in a loop does not.
 */
const KILL_GRACE_MS = 100;
const RESTART_BACKOFF_INITIAL_MS = 200;
const RESTART_BACKOFF_MAX_MS = 5000;

interface Job {
  readonly run: (worker: PythonWorker) => Promise<unknown>;
  readonly deadline: number;
  readonly what: string;
  resolve(value: unknown): void;
  reject(err: BridgeError): void;
  /** Fails the job at its deadline while it waits in the queue. */
  expiry?: NodeJS.Timeout;
}

/**
 * N Python workers, one call each at a time; calls wait in a queue for a free worker until their
 * deadline. A worker that crashes or overruns a deadline is replaced, and only the call it was
 * running fails.
 */
export class WorkerPool {
  private readonly idle: PythonWorker[] = [];
  private readonly all = new Set<PythonWorker>();
  private readonly queue: Job[] = [];
  private closing = false;
  private failures = 0;
  /** Replacements since start, and how long the last one took from the exit to ready. */
  readonly stats = { restarts: 0, lastRestartMs: 0 };

  constructor(private readonly options: PoolOptions) {}

  /** Starts every worker; rejects with the first failure (a `load` BridgeError for a broken bundle). */
  async start(): Promise<ReadyMessage> {
    const workers = Array.from({ length: this.options.size }, () => this.launch());
    const started = await Promise.allSettled(workers.map((worker) => worker.start()));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(workers.map((worker) => worker.stop(0)));
      throw failed.reason;
    }
    for (const worker of workers) this.watch(worker);
    this.idle.push(...workers);
    return (started[0] as PromiseFulfilledResult<ReadyMessage>).value;
  }

  dispatch(object: WireObject, deadline: number | undefined): Promise<WireObject> {
    const name = typeof object['hook_name'] === 'string' ? object['hook_name'] : '';
    return this.submit((worker) => worker.call(object), deadline, `hook ${JSON.stringify(name)}`) as Promise<WireObject>;
  }

  event(handler: string, payload: string, deadline: number | undefined): Promise<void> {
    return this.submit((worker) => worker.event(handler, payload), deadline, `event handler ${JSON.stringify(handler)}`) as Promise<void>;
  }

  get workers(): number {
    return this.all.size;
  }

  pids(): number[] {
    return [...this.all].map((w) => w.pid).filter((pid): pid is number => pid !== undefined);
  }

  async close(graceMs: number): Promise<void> {
    this.closing = true;
    for (const job of this.queue.splice(0)) {
      clearTimeout(job.expiry);
      job.reject(new BridgeError('closed', 'the bridge is stopping'));
    }
    await Promise.all([...this.all].map((worker) => worker.stop(graceMs)));
  }

  private submit(run: Job['run'], deadline: number | undefined, what: string): Promise<unknown> {
    if (this.closing) return Promise.reject(new BridgeError('closed', 'the bridge is stopping'));
    const cap = Date.now() + this.options.callTimeoutMs;
    return new Promise((resolve, reject) => {
      const job: Job = { run, deadline: deadline === undefined ? cap : Math.min(deadline, cap), what, resolve, reject };
      this.queue.push(job);
      this.assign();
      if (this.queue.includes(job)) {
        job.expiry = setTimeout(() => {
          const index = this.queue.indexOf(job);
          if (index === -1) return;
          this.queue.splice(index, 1);
          job.reject(new BridgeError('deadline', `${what} waited for a free worker past its deadline`));
        }, Math.max(0, job.deadline - Date.now()));
      }
    });
  }

  private assign(): void {
    while (this.queue.length > 0 && this.idle.length > 0) {
      const job = this.queue.shift() as Job;
      clearTimeout(job.expiry);
      if (job.deadline <= Date.now()) {
        job.reject(new BridgeError('deadline', `${job.what} waited for a free worker past its deadline`));
        continue;
      }
      this.runOn(this.idle.pop() as PythonWorker, job);
    }
  }

  private runOn(worker: PythonWorker, job: Job): void {
    let abandoned = false;
    const timer = setTimeout(() => {
      abandoned = true;
      const err = new BridgeError('deadline', `${job.what} did not finish before its deadline`);
      void worker.abandon(err, KILL_GRACE_MS).then((answered) => {
        if (answered) this.release(worker);
        else this.options.log.warn({ worker_pid: worker.pid, call: job.what }, `the Python worker was still running ${job.what} ${KILL_GRACE_MS} ms after its deadline; killed, and replaced`);
      });
    }, Math.max(0, job.deadline - Date.now()));
    job.run(worker).then(
      (value) => {
        clearTimeout(timer);
        job.resolve(value);
        this.release(worker);
      },
      (err: unknown) => {
        clearTimeout(timer);
        job.reject(err instanceof BridgeError ? err : new BridgeError('crashed', String(err)));
        // A call given up on at its deadline frees its worker only if the worker answers in time.
        if (!abandoned) this.release(worker);
      },
    );
  }

  private release(worker: PythonWorker): void {
    if (!worker.alive || this.closing) return;
    this.idle.push(worker);
    this.assign();
  }

  private launch(): PythonWorker {
    const worker = new PythonWorker({
      python: this.options.python,
      bundleDir: this.options.bundleDir,
      paths: this.options.paths,
      startTimeoutMs: this.options.startTimeoutMs,
      log: this.options.log,
      output: this.options.pluginLog,
      host: this.options.host,
    });
    this.all.add(worker);
    return worker;
  }

  /** Replaces the worker when it exits, unless the pool is closing. */
  private watch(worker: PythonWorker): void {
    void worker.exited.then((exit) => {
      this.all.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at !== -1) this.idle.splice(at, 1);
      if (this.closing) return;
      this.options.log.warn({ worker_pid: worker.pid, code: exit.code, signal: exit.signal }, 'a Python worker exited; starting a replacement');
      void this.replace(performance.now());
    });
  }

  private async replace(since: number): Promise<void> {
    while (!this.closing) {
      const worker = this.launch();
      try {
        await worker.start();
      } catch (err) {
        this.all.delete(worker);
        this.failures++;
        const delay = Math.min(RESTART_BACKOFF_MAX_MS, RESTART_BACKOFF_INITIAL_MS * 2 ** (this.failures - 1));
        this.options.log.error({ err: err instanceof Error ? err.message : String(err), retry_in_ms: delay }, 'a replacement Python worker failed to start');
        await new Promise((resolve) => setTimeout(resolve, delay));
        continue;
      }
      if (this.closing) {
        await worker.stop(0);
        return;
      }
      this.failures = 0;
      this.stats.restarts++;
      this.stats.lastRestartMs = Math.round(performance.now() - since);
      this.options.log.info({ worker_pid: worker.pid, restart_ms: this.stats.lastRestartMs, workers: this.all.size }, 'replacement Python worker ready');
      this.watch(worker);
      this.release(worker);
      return;
    }
  }
}

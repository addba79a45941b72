import type { ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { execa } from 'execa';
import type { Logger } from '../../gateway/logging/index.js';
import { BridgeError, describeLoadProblem } from './errors.js';
import { encodeFrame, FrameReader } from './frames.js';
import {
  isFromWorker,
  type DataGetMessage,
  type DataMessage,
  type DataSetMessage,
  type FromWorker,
  type LogMessage,
  type ReadyMessage,
  type ToWorker,
  type TriggerEventMessage,
  type WireObject,
} from './messages.js';
import { WORKER_SCRIPT } from './paths.js';

/** What a worker needs from the bridge besides its bundle. */
export interface WorkerHost {
  data(request: DataGetMessage | DataSetMessage): Promise<DataMessage>;
  pluginLog(message: LogMessage, pid: number | undefined): void;
  triggerEvent(message: TriggerEventMessage): void;
}

export interface WorkerOptions {
  readonly python: string;
  readonly bundleDir: string;
  /** Appended to sys.path (python_path_prefix). */
  readonly paths: readonly string[];
  readonly startTimeoutMs: number;
  readonly log: Logger;
  /** Where the worker's standard output and error (the plugin's prints, Python warnings) go. */
  readonly output: Logger;
  readonly host: WorkerHost;
}

export interface WorkerExit {
  readonly code: number | null;
  readonly signal: string | null;
}

interface Pending {
  readonly id: number;
  resolve(message: FromWorker): void;
  reject(err: BridgeError): void;
}

/** Lines of standard error kept to explain a worker that dies before it is ready. */
const STDERR_TAIL = 20;
/** After a worker exits, how long its last frames may take to be read (a child it forked may hold the channel open). */
const CHANNEL_DRAIN_MS = 200;

/**
 * One Python worker process: launched with execa (`python -B hookgate_worker.py`), talking over
 * a socket pair on its fd 3 (its standard output and error are the plugin's own prints, forwarded
 * to the log). One call at a time; the pool decides what to send and when to give up on it.
 */
export class PythonWorker {
  readonly exited: Promise<WorkerExit>;
  private readonly channel: Duplex;
  private readonly child: ChildProcess;
  private pending: Pending | undefined;
  /** The call given up on at its deadline, while the worker still has a moment to answer it. */
  private late: { readonly id: number; settle(answered: boolean): void } | undefined;
  private nextId = 1;
  private gone = false;
  private readonly stderrTail: string[] = [];
  private onStart: ((message: FromWorker) => void) | undefined;

  constructor(private readonly options: WorkerOptions) {
    const output = options.output;
    const tail = this.stderrTail;
    const child = execa(options.python, ['-B', WORKER_SCRIPT], {
      cwd: options.bundleDir,
      env: { HOOKGATE_BRIDGE_PID: String(process.pid), PYTHONDONTWRITEBYTECODE: '1' },
      extendEnv: true,
      stdio: [
        'ignore',
        function* (line: unknown) {
          output.info({ stream: 'stdout' }, String(line));
        },
        function* (line: unknown) {
          tail.push(String(line));
          if (tail.length > STDERR_TAIL) tail.shift();
          output.warn({ stream: 'stderr' }, String(line));
        },
        'pipe',
      ],
      buffer: false,
      reject: false,
      // The bridge exiting normally sends SIGTERM; dying by SIGKILL is covered by the worker's
      // own parent-death signal (prctl), set before it loads any plugin code.
      cleanup: true,
      forceKillAfterDelay: false,
    });
    this.child = child as unknown as ChildProcess;
    this.channel = child.stdio[3] as unknown as Duplex;
    const reader = new FrameReader(
      (message) => this.receive(message),
      (err) => this.protocolError(err.message),
    );
    this.channel.on('data', (chunk: Buffer) => reader.push(chunk));
    this.channel.on('error', () => undefined);
    this.exited = new Promise<WorkerExit>((resolve) => {
      this.child.once('exit', (code, signal) => {
        // What the worker wrote just before exiting (a load error) may still be in the channel.
        const done = () => resolve({ code, signal });
        if (this.channel.destroyed || this.channel.readableEnded) return done();
        const timer = setTimeout(done, CHANNEL_DRAIN_MS);
        this.channel.once('close', () => {
          clearTimeout(timer);
          done();
        });
      });
      void child.then((result) => {
        // A failed spawn (no such executable) emits no 'exit'.
        if (result.exitCode === undefined && result.signal === undefined) resolve({ code: null, signal: null });
      });
    }).then((exit) => {
      this.gone = true;
      this.channel.destroy();
      this.fail(new BridgeError('crashed', `the Python worker exited (${describe(exit)}) while running the call`));
      return exit;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.gone;
  }

  /** Sends `start` and resolves once the bundle is loaded; rejects with a `load` or `start` BridgeError. */
  start(): Promise<ReadyMessage> {
    return new Promise<ReadyMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill();
        reject(new BridgeError('start', `the Python worker did not load the bundle within ${this.options.startTimeoutMs} ms`));
      }, this.options.startTimeoutMs);
      const settle = (outcome: () => void) => {
        clearTimeout(timer);
        this.onStart = undefined;
        outcome();
      };
      this.onStart = (message) => {
        if (message.type === 'ready') settle(() => resolve(message));
        else if (message.type === 'load_error') {
          const load = { error: message.error, file: message.file, line: message.line, trace: message.trace };
          settle(() => reject(new BridgeError('load', `the bundle failed to load: ${describeLoadProblem(load)}`, { load })));
        }
      };
      void this.exited.then((exit) => {
        if (this.onStart === undefined) return;
        const stderr = this.stderrTail.join('\n');
        const cause = exit.code === null && exit.signal === null ? `cannot run ${this.options.python}` : describe(exit);
        settle(() => reject(new BridgeError('start', `the Python worker exited before loading the bundle (${cause})${stderr === '' ? '' : `: ${stderr}`}`)));
      });
      this.send({ type: 'start', bundle_dir: this.options.bundleDir, paths: this.options.paths });
    });
  }

  /** Runs one hook call; rejects with a BridgeError (`hook_error`, `unknown_hook`, `crashed`). */
  call(object: WireObject): Promise<WireObject> {
    const id = this.nextId++;
    return this.request(id, { type: 'call', id, object }).then((message) => (message as { object: WireObject }).object);
  }

  event(handler: string, payload: string): Promise<void> {
    const id = this.nextId++;
    return this.request(id, { type: 'event', id, handler, payload }).then(() => undefined);
  }

  /**
   * Gives up on the call in flight (its caller gets `err` now). Resolves true if the worker still
   * answers within `graceMs` (it is usable again), false if it had to be killed.
   */
  abandon(err: BridgeError, graceMs: number): Promise<boolean> {
    const pending = this.pending;
    if (pending === undefined) return Promise.resolve(!this.gone);
    this.pending = undefined;
    pending.reject(err);
    return new Promise<boolean>((resolve) => {
      const settle = (answered: boolean) => {
        clearTimeout(timer);
        this.late = undefined;
        resolve(answered);
      };
      const timer = setTimeout(() => {
        this.kill();
        settle(false);
      }, graceMs);
      this.late = { id: pending.id, settle };
      void this.exited.then(() => {
        if (this.late?.id === pending.id) settle(false);
      });
    });
  }

  kill(): void {
    if (!this.gone) this.child.kill('SIGKILL');
  }

  /** Closes the channel (an idle worker exits at once), then SIGTERM, then SIGKILL after graceMs. */
  async stop(graceMs: number): Promise<void> {
    if (this.gone) return;
    this.channel.end();
    const term = setTimeout(() => this.child.kill('SIGTERM'), Math.min(100, graceMs));
    const kill = setTimeout(() => this.kill(), graceMs);
    await this.exited;
    clearTimeout(term);
    clearTimeout(kill);
  }

  private request(id: number, message: ToWorker): Promise<FromWorker> {
    if (this.gone) return Promise.reject(new BridgeError('crashed', 'the Python worker has exited'));
    if (this.pending !== undefined) return Promise.reject(new BridgeError('closed', 'the Python worker is busy'));
    return new Promise<FromWorker>((resolve, reject) => {
      this.pending = { id, resolve, reject };
      this.send(message);
    });
  }

  private fail(err: BridgeError): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(err);
  }

  private send(message: ToWorker): void {
    if (!this.gone) this.channel.write(encodeFrame(message));
  }

  private receive(message: unknown): void {
    if (!isFromWorker(message)) {
      this.protocolError(`unexpected message ${JSON.stringify(message).slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
      case 'load_error':
        this.onStart?.(message);
        return;
      case 'log':
        this.options.host.pluginLog(message, this.pid);
        return;
      case 'trigger_event':
        this.options.host.triggerEvent(message);
        return;
      case 'data_get':
      case 'data_set':
        void this.options.host.data(message).then((reply) => this.send(reply));
        return;
      case 'result':
      case 'done':
      case 'failed': {
        const pending = this.pending;
        if (pending === undefined || pending.id !== message.id) {
          if (this.late?.id === message.id) this.late.settle(true);
          return;
        }
        this.pending = undefined;
        if (message.type === 'failed') {
          pending.reject(new BridgeError(message.reason, message.error, { trace: message.trace }));
        } else {
          pending.resolve(message);
        }
      }
    }
  }

  private protocolError(why: string): void {
    this.options.log.error({ worker_pid: this.pid }, `the Python worker broke the channel protocol (${why}); it is replaced`);
    this.kill();
  }
}

function describe(exit: WorkerExit): string {
  return exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.code ?? 'unknown'}`;
}

import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../gateway/logging/index.js';
import { prepareAddress } from './address.js';
import { backoffDelay } from './backoff.js';
import { describeExit, launch, type ExitInfo, type LaunchedProcess } from './launch.js';
import { preflight } from './preflight.js';
import type { ReadinessProbe, SidecarSpec, SidecarState, SidecarStatus } from './types.js';

/**
 * The probe is called in slices of at most this long, so a run that exits while being probed is
 * given up within one slice, and a probe that hangs (a custom one) cannot hold a run for longer.
 */
const PROBE_SLICE_MS = 1000;
/** Pause after a probe that failed early (connection refused), so probing never spins. */
const PROBE_RETRY_MS = 50;

export interface SidecarOptions {
  readonly probe: ReadinessProbe;
  readonly viaSetpriv: boolean;
  /** A run that stayed ready this long resets the backoff: its crash is not part of a crash loop. */
  readonly stableAfterMs: number;
}

/** How a Sidecar tells its supervisor what happened; the supervisor turns these into events. */
export interface SidecarListener {
  ready(name: string): void;
  exit(name: string, code: number | null, signal: string | null): void;
  restart(name: string, attempt: number): void;
}

/** How one run ended, when it was not stopped. */
interface RunEnd {
  readonly reason: string;
  readonly exit: ExitInfo | undefined;
  readonly pid: number | undefined;
  /** The command could not be launched at all (not found, not executable, no working folder). */
  readonly cannotLaunch: boolean;
  /** How long it was ready before it exited; undefined when it never was. */
  readonly readyForMs: number | undefined;
}

/** One supervised sidecar: launches, probes, restarts with backoff, stops. Used once. */
export class Sidecar {
  private state: SidecarState = 'stopped';
  private reason: string | undefined = 'not started';
  private restarts = 0;
  private failures = 0;
  private current: LaunchedProcess | undefined;
  private stopping = false;
  /** Wakes the backoff pause when stop() is called. */
  private readonly wake = new AbortController();
  private started: Promise<void> | undefined;
  private loop: Promise<void> = Promise.resolve();
  private stopped: Promise<void> | undefined;
  /** Resolves start(): called at the first ready, the first failure, or stop. */
  private settleStart: () => void = () => undefined;

  constructor(
    readonly spec: SidecarSpec,
    private readonly log: Logger,
    private readonly options: SidecarOptions,
    private readonly listener: SidecarListener,
  ) {}

  status(): SidecarStatus {
    const pid = this.current !== undefined && !this.current.hasExited() ? this.current.pid : undefined;
    return { name: this.spec.name, state: this.state, pid, restarts: this.restarts, reason: this.reason };
  }

  /** Resolves once the first run is ready or has failed (or stop() was called); never rejects. */
  start(): Promise<void> {
    if (this.started !== undefined) return this.started;
    if (this.stopping) return (this.started = Promise.resolve());
    this.started = new Promise<void>((resolve) => (this.settleStart = resolve));
    this.loop = this.supervise()
      .catch((err: unknown) => {
        // Nothing above throws by design; if something does, say so rather than go quiet.
        this.state = 'stopped';
        this.reason = `supervision failed: ${err instanceof Error ? err.message : String(err)}`;
        this.log.error({ err }, 'sidecar supervision failed; it will not be restarted');
      })
      .finally(() => this.settleStart());
    return this.started;
  }

  /** No more restarts; SIGTERM, SIGKILL after stopGraceMs; resolves once the process is gone. */
  stop(): Promise<void> {
    this.stopped ??= this.shutDown();
    return this.stopped;
  }

  private async shutDown(): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    const run = this.current;
    if (run !== undefined && !run.hasExited()) {
      this.state = 'stopping';
      this.reason = 'stopping';
      await this.terminate(run);
    }
    await this.loop;
    this.current = undefined;
    this.state = 'stopped';
    this.reason = 'stopped';
  }

  private async terminate(run: LaunchedProcess): Promise<void> {
    const grace = this.spec.stopGraceMs;
    const began = performance.now();
    run.kill('SIGTERM');
    const escalate = setTimeout(() => {
      if (run.kill('SIGKILL')) {
        this.log.warn({ pid: run.pid, stop_grace_ms: grace }, `sidecar still running ${grace} ms after SIGTERM; sent SIGKILL`);
      }
    }, grace);
    const exit = await run.exited;
    clearTimeout(escalate);
    this.log.info({ pid: run.pid, code: exit.code, signal: exit.signal, stop_ms: Math.round(performance.now() - began) }, 'sidecar stopped');
  }

  private async supervise(): Promise<void> {
    for (let launches = 0; !this.stopping; launches++) {
      if (launches > 0) {
        this.restarts++;
        this.log.debug({ attempt: this.restarts }, 'restarting sidecar');
        this.notify(() => this.listener.restart(this.spec.name, this.restarts));
      }
      const end = await this.runOnce();
      this.settleStart();
      if (end === undefined || this.stopping) return;
      await this.backOff(end);
    }
  }

  private async backOff(end: RunEnd): Promise<void> {
    if ((end.readyForMs ?? 0) >= this.options.stableAfterMs) this.failures = 0;
    this.failures++;
    const delay = backoffDelay(this.failures, this.spec.restartBackoffInitialMs, this.spec.restartBackoffMaxMs);
    this.current = undefined;
    this.state = 'backoff';
    this.reason = end.reason;
    const fields = {
      pid: end.pid,
      code: end.exit?.code ?? null,
      signal: end.exit?.signal ?? null,
      reason: end.reason,
      failures: this.failures,
      restart_in_ms: delay,
      ...(end.readyForMs !== undefined ? { ready_for_ms: Math.round(end.readyForMs) } : {}),
    };
    if (end.cannotLaunch) {
      this.log.error({ ...fields, command: this.spec.command }, `sidecar cannot start: ${end.reason}; retrying in ${delay} ms`);
    } else {
      this.log.warn(fields, `sidecar ${end.reason}; restarting in ${delay} ms`);
    }
    await sleep(delay, undefined, { signal: this.wake.signal }).catch(() => undefined);
  }

  /** One launch, up to its end; undefined when stop() ended it. The process is gone on return. */
  private async runOnce(): Promise<RunEnd | undefined> {
    this.state = 'starting';
    if (this.restarts === 0) this.reason = 'starting';
    const problem = await preflight(this.spec);
    if (this.stopping) return undefined;
    if (problem !== undefined) return { reason: problem, exit: undefined, pid: undefined, cannotLaunch: true, readyForMs: undefined };
    await prepareAddress(this.spec.address, this.spec.cwd, this.log);
    if (this.stopping) return undefined;

    const launchedAt = performance.now();
    const run = launch(this.spec, this.log, this.options.viaSetpriv);
    this.current = run;
    void run.exited.then((exit) => {
      if (exit.spawnError === undefined) this.notify(() => this.listener.exit(this.spec.name, exit.code, exit.signal));
    });
    this.log.info({ pid: run.pid, command: this.spec.command, args: this.spec.args }, 'sidecar launched');

    const readiness = await this.waitUntilReady(run, launchedAt);
    if (readiness.outcome === 'timeout' && !this.stopping) {
      run.kill('SIGKILL');
      const exit = await run.exited;
      this.log.debug({ pid: run.pid, probe_error: readiness.probeError }, 'last readiness probe error');
      return { reason: `not ready within ${this.spec.readyTimeoutMs} ms`, exit, pid: run.pid, cannotLaunch: false, readyForMs: undefined };
    }
    if (readiness.outcome !== 'ready' || this.stopping) {
      const exit = await run.exited;
      if (this.stopping) return undefined;
      const cannotLaunch = exit.spawnError !== undefined;
      return { reason: describeExit(exit, this.spec.command), exit, pid: run.pid, cannotLaunch, readyForMs: undefined };
    }

    const readyAt = performance.now();
    this.state = 'ready';
    this.reason = undefined;
    this.log.info({ pid: run.pid, startup_ms: Math.round(readyAt - launchedAt), restarts: this.restarts }, 'sidecar ready');
    this.notify(() => this.listener.ready(this.spec.name));
    this.settleStart();
    const exit = await run.exited;
    if (this.stopping) return undefined;
    return { reason: describeExit(exit, this.spec.command), exit, pid: run.pid, cannotLaunch: false, readyForMs: performance.now() - readyAt };
  }

  /** Probes until ready, until the run exits, or until readyTimeoutMs after the launch. */
  private async waitUntilReady(
    run: LaunchedProcess,
    launchedAt: number,
  ): Promise<{ outcome: 'ready' | 'exited' | 'timeout'; probeError?: string }> {
    const deadline = launchedAt + this.spec.readyTimeoutMs;
    const exited = run.exited.then(() => 'exited' as const);
    let probeError: string | undefined;
    for (;;) {
      if (run.hasExited() || this.stopping) return { outcome: 'exited' };
      const remaining = deadline - performance.now();
      if (remaining <= 0) return probeError !== undefined ? { outcome: 'timeout', probeError } : { outcome: 'timeout' };
      const slice = Math.max(1, Math.round(Math.min(remaining, PROBE_SLICE_MS)));
      const began = performance.now();
      const result = await Promise.race([exited, this.probeOnce(slice)]);
      if (result === 'exited') return { outcome: 'exited' };
      if (result === 'ready') return run.hasExited() ? { outcome: 'exited' } : { outcome: 'ready' };
      probeError = result.error;
      const left = slice - (performance.now() - began);
      if (left > 0) await Promise.race([exited, sleep(Math.min(left, PROBE_RETRY_MS))]);
    }
  }

  private probeOnce(timeoutMs: number): Promise<'ready' | { error: string }> {
    const failed = (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) });
    let probing: Promise<void>;
    try {
      probing = Promise.resolve(this.options.probe(this.spec.address, timeoutMs));
    } catch (err) {
      return Promise.resolve(failed(err));
    }
    // A probe that never settles counts as failed shortly after its own deadline.
    let overdue: NodeJS.Timeout | undefined;
    const late = new Promise<{ error: string }>((resolve) => {
      overdue = setTimeout(() => resolve(failed(new Error(`the probe did not settle within ${timeoutMs} ms`))), timeoutMs + PROBE_SLICE_MS);
    });
    return Promise.race([probing.then(() => 'ready' as const, failed), late]).finally(() => clearTimeout(overdue));
  }

  /** A listener that throws must not break supervision. */
  private notify(emit: () => void): void {
    try {
      emit();
    } catch (err) {
      this.log.error({ err }, 'a sidecar event listener threw');
    }
  }
}

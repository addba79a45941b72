/**
 * The contract of the sidecar supervisor: plugin servers the gateway launches, waits for,
 * restarts and stops. The gateway depends on this file only; supervisor.ts implements it.
 */

/** One sidecar, resolved from `coprocess_options.sidecars` (paths absolute, defaults filled). */
export interface SidecarSpec {
  /** Unique; used in logs, metrics and `sidecar:<name>` references. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Added to the gateway's own environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Absolute working folder. */
  readonly cwd: string;
  /** The gRPC target it serves on, normalised: `host:port` or `unix:///path` (no `tcp://`). */
  readonly address: string;
  /** How long one start may take to become ready before it counts as failed. */
  readonly readyTimeoutMs: number;
  /** Between SIGTERM and SIGKILL when stopping. */
  readonly stopGraceMs: number;
  /** Restart delay after the first failure; doubles per consecutive failure up to the max. */
  readonly restartBackoffInitialMs: number;
  readonly restartBackoffMaxMs: number;
}

export type SidecarState =
  /** Launched, not yet answering. */
  | 'starting'
  /** Answering: its hooks may be dispatched. */
  | 'ready'
  /** Exited or failed to start; waiting to restart. */
  | 'backoff'
  /** Being stopped by the gateway; no restart follows. */
  | 'stopping'
  | 'stopped';

export interface SidecarStatus {
  readonly name: string;
  readonly state: SidecarState;
  readonly pid: number | undefined;
  /** Restarts since the gateway started (the first launch is not a restart). */
  readonly restarts: number;
  /** Why it is not ready, for logs and errors: "exited with code 1", "command not found: foo", ... */
  readonly reason: string | undefined;
}

/**
 * Resolves when `address` accepts a gRPC connection, rejects after `timeoutMs`. The default
 * probe opens a grpc-js channel and waits for it to be ready.
 */
export type ReadinessProbe = (address: string, timeoutMs: number) => Promise<void>;

/** Events a supervisor emits (it is an EventEmitter). */
export interface SidecarEvents {
  ready: [name: string];
  exit: [name: string, code: number | null, signal: string | null];
  restart: [name: string, attempt: number];
}

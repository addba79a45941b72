import { existsSync } from 'node:fs';
import { execa } from 'execa';
import type { Logger } from '../../gateway/logging/index.js';
import type { SidecarSpec } from './types.js';

const SETPRIV = '/usr/bin/setpriv';

/**
 * Whether launches go through `setpriv --pdeathsig SIGKILL`: the kernel then kills the sidecar
 * when the gateway dies, even by SIGKILL, which no handler in the gateway can do.
 */
export function pdeathsigAvailable(): boolean {
  return process.platform === 'linux' && existsSync(SETPRIV);
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: string | null;
  /** Set when the process never ran: spawning failed (ENOENT, EACCES, ...). */
  readonly spawnError?: { readonly code: string | undefined; readonly message: string };
}

export interface LaunchedProcess {
  /** Undefined when spawning failed. Through setpriv it is the sidecar's own pid (setpriv execs). */
  readonly pid: number | undefined;
  readonly exited: Promise<ExitInfo>;
  hasExited(): boolean;
  /** False when the process had already exited. */
  kill(signal: NodeJS.Signals): boolean;
}

/**
 * Spawns one run of a sidecar. Its output is forwarded to `log` line by line (stdout at info,
 * stderr at warn, with `stream`), never buffered: a sidecar runs for as long as the gateway.
 */
export function launch(spec: SidecarSpec, log: Logger, viaSetpriv: boolean): LaunchedProcess {
  const [file, args] = viaSetpriv
    ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', spec.command, ...spec.args]]
    : [spec.command, [...spec.args]];
  const subprocess = execa(file, args, {
    cwd: spec.cwd,
    env: spec.env,
    extendEnv: true,
    stdin: 'ignore',
    // Generator transforms receive whole lines (split by execa, newline stripped); yielding
    // nothing means nothing is kept.
    stdout: function* (line: unknown) {
      log.info({ stream: 'stdout' }, String(line));
    },
    stderr: function* (line: unknown) {
      log.warn({ stream: 'stderr' }, String(line));
    },
    buffer: false,
    reject: false,
    // On a normal exit of the gateway (and on signals it does not handle) execa sends SIGTERM.
    cleanup: true,
    // Stopping escalates to SIGKILL on the sidecar's own stop_grace_ms, with a log line.
    forceKillAfterDelay: false,
  });

  let exitedNow = false;
  const exited = new Promise<ExitInfo>((resolve) => {
    // 'exit' rather than the execa promise: that one also waits for stdout and stderr to close,
    // which a grandchild holding them open can delay for ever.
    subprocess.once('exit', (code, signal) => {
      exitedNow = true;
      resolve({ code, signal });
    });
    // A failed spawn emits no 'exit'; the promise carries the error.
    void subprocess.then((result) => {
      exitedNow = true;
      const cause = result.cause as NodeJS.ErrnoException | undefined;
      if (result.exitCode === undefined && result.signal === undefined) {
        resolve({ code: null, signal: null, spawnError: { code: cause?.code ?? result.code, message: cause?.message ?? result.shortMessage ?? 'spawn failed' } });
      } else {
        resolve({ code: result.exitCode ?? null, signal: result.signal ?? null });
      }
    });
  });
  return {
    pid: subprocess.pid,
    exited,
    hasExited: () => exitedNow,
    kill: (signal) => !exitedNow && subprocess.kill(signal),
  };
}

/** The reason a run ended, as SidecarStatus.reason says it. */
export function describeExit(exit: ExitInfo, command: string): string {
  const spawnError = exit.spawnError;
  if (spawnError !== undefined) {
    if (spawnError.code === 'ENOENT') return `command not found: ${command}`;
    if (spawnError.code === 'EACCES') return `command not executable: ${command}`;
    return `could not launch ${command}: ${spawnError.message}`;
  }
  if (exit.signal !== null) return `killed by ${exit.signal}`;
  return `exited with code ${exit.code ?? 'unknown'}`;
}

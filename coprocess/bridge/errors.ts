import { status } from '@grpc/grpc-js';

/**
 * Why a bridge call or start failed. The gateway fails the hook closed on any of them (auth
 * hooks 403 `Key not authorised`, others 500 `Middleware error`), as Tyk does on a Python
 * exception; the gRPC status tells which it was.
 */
export type BridgeFailure =
  /** The bundle could not be loaded (syntax error, failing import, missing function). */
  | 'load'
  /** A worker process could not be started (no Python, a crash before loading). */
  | 'start'
  /** The plugin raised. */
  | 'hook_error'
  /** No function of that name in the bundle. */
  | 'unknown_hook'
  /** The call's deadline passed (the worker running it is replaced if it does not answer). */
  | 'deadline'
  /** The worker running the call exited (os._exit, a crash, the OOM killer). */
  | 'crashed'
  /** The request or the reply could not be converted. */
  | 'invalid'
  /** The bridge is stopping. */
  | 'closed';

const GRPC_STATUS: Record<BridgeFailure, status> = {
  load: status.FAILED_PRECONDITION,
  start: status.UNAVAILABLE,
  hook_error: status.UNKNOWN,
  unknown_hook: status.UNIMPLEMENTED,
  deadline: status.DEADLINE_EXCEEDED,
  crashed: status.INTERNAL,
  invalid: status.INVALID_ARGUMENT,
  closed: status.UNAVAILABLE,
};

export interface LoadProblem {
  readonly error: string;
  readonly file: string | null;
  readonly line: number | null;
  readonly trace: string;
}

export class BridgeError extends Error {
  override readonly name = 'BridgeError';

  constructor(
    readonly failure: BridgeFailure,
    message: string,
    readonly details: { readonly trace?: string; readonly hook?: string; readonly load?: LoadProblem } = {},
  ) {
    super(message);
  }

  get grpcStatus(): status {
    return GRPC_STATUS[this.failure];
  }
}

/** "middleware.py line 4: SyntaxError: invalid syntax". */
export function describeLoadProblem(problem: LoadProblem): string {
  if (problem.file === null) return problem.error;
  return `${problem.file}${problem.line === null ? '' : ` line ${problem.line}`}: ${problem.error}`;
}

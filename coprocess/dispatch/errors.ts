/** Why a Dispatch call produced no usable reply. The gateway fails the hook closed on any of them. */
export type DispatchFailure =
  /** The plugin server's sidecar is not running or not ready; nothing was sent. */
  | 'not_ready'
  /** The Object is larger than grpc_send_max_size; nothing was sent. */
  | 'too_large'
  /** No reply within the deadline. */
  | 'deadline'
  /** The server could not be reached, or the connection broke. */
  | 'unavailable'
  /** The server answered with a gRPC error status. */
  | 'status'
  /** The reply bytes are not an Object. */
  | 'decode';

/** gRPC status names, for logs and metrics labels. */
const STATUS_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE',
  'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

export const grpcStatusName = (code: number): string => STATUS_NAMES[code] ?? `STATUS_${code}`;

export class DispatchError extends Error {
  override readonly name = 'DispatchError';

  constructor(
    readonly failure: DispatchFailure,
    message: string,
    /** The gRPC status code, when the call got that far. */
    readonly grpcCode: number | undefined = undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** A label for metrics: the gRPC status name, or the failure kind when no call was made. */
  get label(): string {
    return this.grpcCode === undefined ? this.failure.toUpperCase() : grpcStatusName(this.grpcCode);
  }
}

/**
 * The DispatchError for a call that ended with a gRPC status: one mapping for every transport, so
 * that a failure reads and counts the same whichever carried the call.
 */
export function statusError(code: number, details: string, target: string, deadlineMs: number, cause?: unknown): DispatchError {
  const options = cause === undefined ? undefined : { cause };
  if (code === 4) return new DispatchError('deadline', `no reply within ${deadlineMs} ms`, code, options);
  if (code === 14) return new DispatchError('unavailable', `plugin server ${target} unavailable: ${details}`, code, options);
  return new DispatchError('status', `plugin server answered ${grpcStatusName(code)}: ${details}`, code, options);
}

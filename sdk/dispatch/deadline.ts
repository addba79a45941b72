/**
 * The deadline of one call, as an AbortSignal handlers can watch. The gateway sets the gRPC
 * deadline (Hookgate always; Tyk never, it only cancels when its client goes away), and a server
 * may cap it with its own hook timeout. The reason is always an SdkError, so whoever awaits the
 * hook learns why it stopped.
 */
import { SdkError } from '../errors.js';

export interface CallSignal {
  readonly signal: AbortSignal;
  /** Epoch milliseconds, or undefined when the call has none. */
  readonly deadline: number | undefined;
  /** The gateway cancelled the call (or its deadline passed, if it has). */
  cancel(): void;
  /** Stops the timer; call when the call is over. */
  dispose(): void;
}

/** The earlier of a gRPC deadline (Date, epoch ms, or Infinity) and now + `timeoutMs`. */
export function effectiveDeadline(grpcDeadline: Date | number | undefined, timeoutMs: number | undefined): number | undefined {
  const fromCall = grpcDeadline instanceof Date ? grpcDeadline.getTime() : grpcDeadline;
  const fromServer = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  const candidates = [fromCall, fromServer].filter((d): d is number => d !== undefined && Number.isFinite(d));
  return candidates.length === 0 ? undefined : Math.min(...candidates);
}

export function callSignal(deadline: number | undefined, hook?: string): CallSignal {
  const controller = new AbortController();
  const started = Date.now();
  const expired = () => new SdkError('HG_ERR_SDK_DEADLINE_EXCEEDED', `hook ${JSON.stringify(hook ?? '')} did not finish before the call's deadline`, { hook });
  let timer: NodeJS.Timeout | undefined;
  if (deadline !== undefined) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) controller.abort(expired());
    else timer = setTimeout(() => controller.abort(expired()), remaining);
  }
  return {
    signal: controller.signal,
    deadline,
    cancel() {
      if (controller.signal.aborted) return;
      // The client's deadline timer runs from when it sent the call, ours from when it arrived, so
      // a client giving up at its deadline looks early here; near the end of the budget, it is one.
      const late = deadline !== undefined && Date.now() >= deadline - Math.max(50, (deadline - started) / 2);
      controller.abort(late ? expired() : new SdkError('HG_ERR_SDK_CANCELLED', `the gateway cancelled the call to hook ${JSON.stringify(hook ?? '')}`, { hook }));
    },
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

/** The abort reason as an SdkError. */
export function abortError(signal: AbortSignal, hook?: string): SdkError {
  const reason: unknown = signal.reason;
  return reason instanceof SdkError ? reason : new SdkError('HG_ERR_SDK_CANCELLED', undefined, { cause: reason, hook });
}

/**
 * Settles with `work`, or rejects with the abort reason as soon as `signal` aborts: a handler
 * that ignores its signal is abandoned, not waited for.
 */
export function raceAbort<T>(work: PromiseLike<T> | T, signal: AbortSignal, hook?: string): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal, hook));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal, hook));
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(work).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}

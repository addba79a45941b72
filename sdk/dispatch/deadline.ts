/**
 * The deadline of one call, as an AbortSignal handlers can watch. The gateway sets the gRPC
 * deadline (Hookgate always; Tyk never, it only cancels when its client goes away), and a server
 * may cap it with its own hook timeout. The reason is always an SdkError, so whoever awaits the
 * hook learns why it stopped.
 */
import { SdkError } from '../errors.js';

export interface CallSignal {
  /** Made when first asked for (most hooks never look): aborted at the deadline or on cancel. */
  readonly signal: AbortSignal;
  /** Epoch milliseconds, or undefined when the call has none. */
  readonly deadline: number | undefined;
  /** Whether the call is over for the gateway (cancelled, or its deadline passed while watched). */
  readonly aborted: boolean;
  /** Why, once aborted. */
  readonly reason: SdkError | undefined;
  /** The gateway cancelled the call (or its deadline passed, if it has). */
  cancel(): void;
  /**
   * Settles with `work`, or rejects with the reason as soon as the call is aborted; arms the
   * deadline timer. Only a hook that returned a promise needs it: a synchronous one cannot be
   * interrupted, and is checked with `aborted` once it returns.
   */
  race<T>(work: PromiseLike<T>): Promise<T>;
  /** Stops the timer; call when the call is over. */
  dispose(): void;
}

/** The earlier of a gRPC deadline (Date, epoch ms, or Infinity) and now + `timeoutMs`. */
export function effectiveDeadline(grpcDeadline: Date | number | undefined, timeoutMs: number | undefined): number | undefined {
  const raw = grpcDeadline instanceof Date ? grpcDeadline.getTime() : grpcDeadline;
  const fromCall = raw !== undefined && Number.isFinite(raw) ? raw : undefined;
  if (timeoutMs === undefined) return fromCall;
  const fromServer = Date.now() + timeoutMs;
  if (!Number.isFinite(fromServer)) return fromCall;
  return fromCall === undefined ? fromServer : Math.min(fromCall, fromServer);
}

/**
 * One call's deadline and cancellation, without an AbortController or a timer unless they are
 * needed: per call, those cost more than a trivial hook (bench/RESULTS.md, "Performance pass:
 * the plugin path").
 */
class LazyCallSignal implements CallSignal {
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private racing: ((reason: SdkError) => void) | undefined;
  private disposed = false;
  reason: SdkError | undefined;
  private readonly started = Date.now();

  constructor(
    readonly deadline: number | undefined,
    private readonly hook: string | undefined,
  ) {
    if (deadline !== undefined && deadline - this.started <= 0) this.reason = this.expired();
  }

  get aborted(): boolean {
    return this.reason !== undefined;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.reason !== undefined) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  private expired(): SdkError {
    return new SdkError('HG_ERR_SDK_DEADLINE_EXCEEDED', `hook ${JSON.stringify(this.hook ?? '')} did not finish before the call's deadline`, { hook: this.hook });
  }

  private abort(reason: SdkError): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.controller?.abort(reason);
    const racing = this.racing;
    this.racing = undefined;
    racing?.(reason);
  }

  cancel(): void {
    if (this.reason !== undefined) return;
    // The client's deadline timer runs from when it sent the call, ours from when it arrived, so
    // a client giving up at its deadline looks early here; near the end of the budget, it is one.
    const deadline = this.deadline;
    const late = deadline !== undefined && Date.now() >= deadline - Math.max(50, (deadline - this.started) / 2);
    this.abort(late ? this.expired() : new SdkError('HG_ERR_SDK_CANCELLED', `the gateway cancelled the call to hook ${JSON.stringify(this.hook ?? '')}`, { hook: this.hook }));
  }

  race<T>(work: PromiseLike<T>): Promise<T> {
    if (this.reason !== undefined) return Promise.reject(this.reason);
    if (this.deadline !== undefined && this.timer === undefined && !this.disposed) {
      this.timer = setTimeout(() => this.abort(this.expired()), Math.max(0, this.deadline - Date.now()));
    }
    return new Promise<T>((resolve, reject) => {
      this.racing = reject;
      work.then(
        (value) => {
          this.racing = undefined;
          resolve(value);
        },
        (err: unknown) => {
          this.racing = undefined;
          reject(err as Error);
        },
      );
    });
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}

export function callSignal(deadline: number | undefined, hook?: string): CallSignal {
  return new LazyCallSignal(deadline, hook);
}

/**
 * The gateway's cancellation of one call as the server learns of it: a flag and one listener, and
 * an AbortSignal only for code that asks for one (the worker pool).
 */
export class Cancellation {
  private controller: AbortController | undefined;
  private listener: (() => void) | undefined;
  cancelled = false;

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.controller?.abort();
    const listener = this.listener;
    this.listener = undefined;
    listener?.();
  }

  /** Sets (or, with undefined, clears) the one listener called on cancel. */
  onCancel(listener: (() => void) | undefined): void {
    this.listener = listener;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.cancelled) this.controller.abort();
    }
    return this.controller.signal;
  }
}

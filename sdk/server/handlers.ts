/**
 * The `coprocess.Dispatcher` service as grpc-js handlers. Messages stay bytes at this layer
 * (identity serializers); decoding and encoding happen in the dispatch code, on the server thread
 * or on a worker (see dispatch/wire.ts for why).
 */
import { Metadata, type handleUnaryCall, type ServerUnaryCall, type ServiceDefinition, type sendUnaryData } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { DISPATCH_EVENT_PATH, DISPATCH_PATH } from '../../coprocess/protocol/index.js';
import { Cancellation, effectiveDeadline } from '../dispatch/deadline.js';
import { ERROR_CODE_METADATA_KEY } from '../errors.js';
import { asSdkError, dispatchEventBytes, dispatchObjectBytes, logFailure } from '../dispatch/wire.js';
import type { Plugin } from '../plugin.js';
import type { HookPool } from '../threads/pool.js';

const bytes = (value: Buffer): Buffer => value;

function method(path: string) {
  return { path, requestStream: false, responseStream: false, requestSerialize: bytes, requestDeserialize: bytes, responseSerialize: bytes, responseDeserialize: bytes } as const;
}

/** The Dispatcher service (paths from proto/), carrying raw message bytes. */
export const DISPATCHER_SERVICE: ServiceDefinition = { Dispatch: method(DISPATCH_PATH), DispatchEvent: method(DISPATCH_EVENT_PATH) };

/**
 * After the gateway gives up on a call, a worker still running it gets this long to notice its
 * own deadline and answer before it is terminated: an async hook that watches `signal` stops in
 * time, so only a hook stuck on the CPU costs a worker restart.
 */
const WORKER_ABORT_GRACE_MS = 100;

export interface HandlerOptions<C> {
  readonly plugin: Plugin<C>;
  readonly pool: HookPool | undefined;
  readonly log: Logger;
  readonly hookTimeoutMs: number | undefined;
  /** Counts calls in flight, for the shutdown log. */
  readonly inFlight: { count: number };
}

type Work = (request: Buffer, deadline: number | undefined, cancelled: Cancellation) => Promise<Buffer>;

function unary<C>(options: HandlerOptions<C>, work: Work, abortDelayMs: number): handleUnaryCall<Buffer, Buffer> {
  return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
    const deadline = effectiveDeadline(call.getDeadline(), options.hookTimeoutMs);
    // No AbortController or timer array per call: most calls are never cancelled.
    const cancellation = new Cancellation();
    let timers: NodeJS.Timeout[] | undefined;
    const abortSoon = () => (timers ??= []).push(setTimeout(() => cancellation.cancel(), abortDelayMs));
    call.once('cancelled', abortSoon);
    // The gateway's own deadline makes grpc-js cancel the call; a server-side hook timeout does not.
    if (deadline !== undefined && options.hookTimeoutMs !== undefined) (timers ??= []).push(setTimeout(abortSoon, Math.max(0, deadline - Date.now())));
    options.inFlight.count++;
    const done = () => {
      options.inFlight.count--;
      call.off('cancelled', abortSoon);
      if (timers !== undefined) for (const timer of timers) clearTimeout(timer);
    };
    work(call.request, deadline, cancellation).then(
      (reply) => {
        done();
        callback(null, reply);
      },
      (err: unknown) => {
        done();
        const failure = asSdkError(err);
        logFailure(options.log, failure);
        const metadata = new Metadata();
        metadata.set(ERROR_CODE_METADATA_KEY, failure.code);
        callback({ code: failure.grpcStatus, details: failure.message, metadata });
      },
    );
  };
}

export function dispatcherHandlers<C>(options: HandlerOptions<C>): { Dispatch: handleUnaryCall<Buffer, Buffer>; DispatchEvent: handleUnaryCall<Buffer, Buffer> } {
  const { plugin, pool, log } = options;
  const dispatch: Work =
    pool === undefined
      ? (request, deadline, cancelled) => dispatchObjectBytes(plugin, request, { deadline, cancelled, log })
      : (request, deadline, cancelled) => pool.dispatch(request, deadline, cancelled.signal);
  // Events are rare and often do I/O (alerting): they run on the server thread, also with threads.
  const dispatchEvent: Work = (request, deadline, cancelled) => dispatchEventBytes(plugin, request, { deadline, cancelled, log });
  return {
    Dispatch: unary(options, dispatch, pool === undefined ? 0 : WORKER_ABORT_GRACE_MS),
    DispatchEvent: unary(options, dispatchEvent, 0),
  };
}

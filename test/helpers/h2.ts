import { DispatchError, GrpcJsTransport, H2Transport, type DispatchFailure, type DispatchTransport, type H2Tuning, type TransportOptions } from '../../coprocess/dispatch/index.js';
import { decodeObject, DISPATCH_PATH, encodeObject, type CoprocessObject__Output } from '../../coprocess/protocol/index.js';

/** The two Dispatch transports: every interoperability case runs on both, grpc-js being the reference. */
export const KINDS = ['h2', 'grpc-js'] as const;
export type Kind = (typeof KINDS)[number];

export const TRANSPORT_OPTIONS: TransportOptions = { recvMaxBytes: 4 * 1024 * 1024, sendMaxBytes: 4 * 1024 * 1024, authority: '', roundRobin: false };

export function transportOf(kind: Kind, target: string, options: Partial<TransportOptions> = {}, tuning: Partial<H2Tuning> = {}): DispatchTransport {
  const merged = { ...TRANSPORT_OPTIONS, ...options };
  return kind === 'h2' ? new H2Transport(target, merged, tuning) : new GrpcJsTransport(target, merged);
}

/** An encoded coprocess Object for `hook`, with request headers (the test servers read their instructions there). */
export function objectBytes(hook: string, headers: Record<string, string> = {}, rawBody: Buffer = Buffer.alloc(0)): Buffer {
  return encodeObject({ hook_name: hook, hook_type: 'Pre', request: { headers, raw_body: rawBody, method: 'GET', url: '/x' } });
}

/** How a call ended, in the terms the gateway sees. */
export interface Outcome {
  readonly ok: boolean;
  readonly reply?: CoprocessObject__Output;
  readonly failure?: DispatchFailure;
  readonly code?: number | undefined;
  readonly message?: string;
  readonly ms: number;
}

/** Settles a unary call into an Outcome; anything but a DispatchError is a test failure. */
export async function outcomeOf(call: Promise<Buffer>): Promise<Outcome> {
  const started = performance.now();
  try {
    const reply = decodeObject(await call);
    return { ok: true, reply, ms: performance.now() - started };
  } catch (err) {
    if (!(err instanceof DispatchError)) throw new Error(`the transport rejected with something other than a DispatchError: ${String(err)}`, { cause: err });
    return { ok: false, failure: err.failure, code: err.grpcCode, message: err.message, ms: performance.now() - started };
  }
}

export const dispatch = (transport: DispatchTransport, bytes: Buffer, deadlineMs = 5000, metadata?: Record<string, string>, path = DISPATCH_PATH) =>
  outcomeOf(transport.unary(path, bytes, deadlineMs, metadata));

/** Runs `total` tasks with at most `concurrency` under way at once. */
export async function inFlight(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(total, concurrency) }, async () => {
      while (next < total) await task(next++);
    }),
  );
}

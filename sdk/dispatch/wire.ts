/**
 * One call from wire bytes to wire bytes, with every failure as an SdkError. The server decodes
 * and encodes here rather than in grpc-js serializers so that a malformed call or an unencodable
 * reply becomes a clear status and log line (grpc-js would answer a bare INTERNAL), and so that in
 * threads mode only bytes cross to the worker, which does all the protobuf work.
 */
import type { Logger } from 'pino';
import { decodeEvent, decodeObjectFast, EMPTY_EVENT_REPLY, encodeObject, encodeObjectFast, type CoprocessObject__Output } from '../../coprocess/protocol/index.js';
import { SdkError } from '../errors.js';
import type { Plugin } from '../plugin.js';
import { callSignal, Cancellation } from './deadline.js';
import { runEvent } from './events.js';
import { runHook } from './run-hook.js';

export interface DispatchOptions {
  /** Epoch milliseconds, or undefined for none. */
  readonly deadline: number | undefined;
  /** Aborts when the gateway cancels the call (the server passes a Cancellation: no AbortController per call). */
  readonly cancelled?: AbortSignal | Cancellation | undefined;
  readonly log: Logger;
}

export function decodeCall(bytes: Uint8Array): CoprocessObject__Output {
  try {
    // The table-driven decoder (coprocess/protocol/fast-codec.ts): every field, as the reference decoder gives it.
    return decodeObjectFast(bytes);
  } catch (err) {
    throw new SdkError('HG_ERR_SDK_REQUEST_INVALID', `the call is not a coprocess.Object: ${(err as Error).message}`, { cause: err });
  }
}

export function encodeReply(reply: CoprocessObject__Output, hook: string): Buffer {
  try {
    // A reply with values only the reference encoder converts (int64 as strings, base64 bytes) goes to it.
    return encodeObjectFast(reply) ?? encodeObject(reply);
  } catch (err) {
    throw new SdkError('HG_ERR_SDK_REPLY_INVALID', `hook ${JSON.stringify(hook)} produced a reply that cannot be encoded: ${(err as Error).message}`, { cause: err, hook });
  }
}

/** Runs a Dispatch call: decode, run the hook under the call's deadline, encode the reply. */
export async function dispatchObjectBytes<C>(plugin: Plugin<C>, bytes: Uint8Array, options: DispatchOptions): Promise<Buffer> {
  const object = decodeCall(bytes);
  const name = object.hook_name;
  const call = callSignal(options.deadline, name);
  const cancelled = options.cancelled;
  const onCancel = () => call.cancel();
  if (cancelled instanceof Cancellation) {
    if (cancelled.cancelled) call.cancel();
    else cancelled.onCancel(onCancel);
  } else if (cancelled !== undefined) {
    cancelled.addEventListener('abort', onCancel, { once: true });
    if (cancelled.aborted) call.cancel();
  }
  try {
    const reply = await runHook(plugin, object, { call, deadline: options.deadline, log: options.log });
    return encodeReply(reply, name);
  } finally {
    call.dispose();
    if (cancelled instanceof Cancellation) cancelled.onCancel(undefined);
    else cancelled?.removeEventListener('abort', onCancel);
  }
}

/** Runs a DispatchEvent call; the reply (EventReply) is always empty. */
export async function dispatchEventBytes<C>(plugin: Plugin<C>, bytes: Uint8Array, options: DispatchOptions): Promise<Buffer> {
  let payload: string;
  try {
    payload = decodeEvent(bytes).payload;
  } catch (err) {
    throw new SdkError('HG_ERR_SDK_REQUEST_INVALID', `the call is not a coprocess.Event: ${(err as Error).message}`, { cause: err });
  }
  const call = callSignal(options.deadline, 'event');
  // Events are rare: a plain AbortSignal for them.
  const cancelled = options.cancelled instanceof Cancellation ? options.cancelled.signal : options.cancelled;
  const onCancel = () => call.cancel();
  cancelled?.addEventListener('abort', onCancel, { once: true });
  try {
    await runEvent(plugin, payload, { call, log: options.log });
    return EMPTY_EVENT_REPLY;
  } finally {
    call.dispose();
    cancelled?.removeEventListener('abort', onCancel);
  }
}

/** The level and fields a failure is logged with: misbehaving hooks at error, expired calls at warn. */
export function logFailure(log: Logger, err: SdkError): void {
  const fields = { hook: err.hook, code: err.code, grpc_status: err.grpcStatus, err: err.cause instanceof Error ? err.cause : undefined };
  if (err.code === 'HG_ERR_SDK_DEADLINE_EXCEEDED' || err.code === 'HG_ERR_SDK_CANCELLED') log.warn(fields, err.message);
  else log.error(fields, err.message);
}

/** Any error as an SdkError: unexpected ones are INTERNAL, with the original as cause. */
export function asSdkError(err: unknown): SdkError {
  if (err instanceof SdkError) return err;
  return new SdkError('HG_ERR_SDK_INTERNAL', `unexpected failure: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/**
 * The messages between the server thread and its hook workers (design rule 6): typed, with a
 * `type` discriminator, and explicit start, ready, request and response shapes. Only wire bytes
 * cross for a call, so decoding, the hook and encoding all run on the worker.
 */
import { Tinypool } from 'tinypool';
import type { SdkErrorCode } from '../errors.js';
import type { HookKind } from '../hook-types.js';

/** Given to every worker when it starts (tinypool's workerData). */
export interface WorkerStart {
  readonly type: 'start';
  /** File URL of the module that defines the plugin. */
  readonly module: string;
  /** The plugin's name, to pick it when the module exports several. */
  readonly pluginName: string;
  readonly logLevel: string;
}

export type WorkerRequest =
  /** Sent once after start: answers `ready` when the plugin loaded, `failure` otherwise. */
  | { readonly type: 'ping' }
  | {
      readonly type: 'dispatch';
      /** A coprocess.Object as received. */
      readonly bytes: Uint8Array;
      /** Epoch milliseconds, or null for none. */
      readonly deadline: number | null;
    };

export interface WorkerFailureCause {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
}

export type WorkerResponse =
  | { readonly type: 'ready'; readonly threadId: number; readonly hooks: ReadonlyArray<{ readonly name: string; readonly kind: HookKind }> }
  /** The encoded reply Object. */
  | { readonly type: 'reply'; readonly bytes: Uint8Array }
  | {
      readonly type: 'failure';
      readonly code: SdkErrorCode;
      readonly message: string;
      readonly hook: string | null;
      /** What the handler threw, for the server's log (errors do not cross threads intact). */
      readonly cause: WorkerFailureCause | null;
    };

/** A response whose bytes move to the other thread instead of being copied (tinypool's Transferable). */
export interface Movable {
  readonly [key: symbol]: unknown;
}

export function movable(value: WorkerResponse, bytes: Uint8Array): Movable {
  return Tinypool.move({ [Tinypool.transferableSymbol]: bytes.buffer, [Tinypool.valueSymbol]: value } as never) as unknown as Movable;
}

/**
 * Bytes that own their whole ArrayBuffer, so transferring it moves exactly them. Small Buffers are
 * often views into a shared 8 KiB pool, which must be copied, not transferred.
 */
export function ownedBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : new Uint8Array(bytes);
}

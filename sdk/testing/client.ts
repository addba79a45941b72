/**
 * One interface for calling a plugin in tests, whatever carries the call: in process (same bytes,
 * no network), over the real wire (a gRPC server on an ephemeral port), or an already running
 * plugin server in any language (`connect`). A test written against it runs in all three.
 */
import type { CoprocessObject, CoprocessObject__Output } from '../../coprocess/protocol/index.js';
import type { SdkErrorCode } from '../errors.js';
import type { HookKind } from '../hook-types.js';
import type { RequestBuilder } from './request-builder.js';
import type { HookResult } from './result.js';

export interface CallOptions {
  /** The hook type to call it as. Default: the kind the plugin defines it with (required with `connect`). */
  readonly kind?: HookKind;
  /** The call's deadline, as the gateway's dispatch timeout. Default 10 000 ms. */
  readonly timeoutMs?: number;
}

/** A gateway event to send through DispatchEvent. */
export interface EventInit {
  /** The event name, e.g. `AuthFailure` (default). */
  readonly type?: string;
  readonly meta?: Readonly<Record<string, unknown>>;
  readonly apiId?: string;
  readonly orgId?: string;
  readonly timestamp?: string;
}

export interface PluginClient {
  /** `in process`, or the address called. */
  readonly target: string;
  /**
   * Calls a hook with a request and reads the reply as the gateway would. Rejects with a
   * PluginCallError when the call fails (the gateway would then fail closed).
   */
  call(hookName: string, request?: RequestBuilder, options?: CallOptions): Promise<HookResult>;
  /** Sends an Object as it is and returns the reply Object as decoded, for tests below the helpers. */
  dispatch(object: CoprocessObject, options?: { readonly timeoutMs?: number }): Promise<CoprocessObject__Output>;
  /** Sends a gateway event to the handler of that name. */
  event(handlerName: string, event?: EventInit, options?: { readonly timeoutMs?: number }): Promise<void>;
  /** Releases the client (and the server it started, if any). */
  close(): Promise<void>;
}

export const DEFAULT_CALL_TIMEOUT_MS = 10_000;

/** A hook call that failed; the gateway would answer `gatewayStatus` with `gatewayError`. */
export class PluginCallError extends Error {
  /** The gRPC status code (e.g. 2 UNKNOWN when the handler threw). */
  readonly grpcStatus: number;
  /** The SDK's error code, when the server is a Hookgate SDK server. */
  readonly code: SdkErrorCode | undefined;
  /** 403 for an auth_check hook, 500 otherwise (Tyk's fail-closed answers). */
  readonly gatewayStatus: number;
  /** `Key not authorised` or `Middleware error`. */
  readonly gatewayError: string;

  constructor(details: string, grpcStatus: number, code: SdkErrorCode | undefined, kind: HookKind | undefined, options?: { cause?: unknown }) {
    super(details, options);
    this.name = 'PluginCallError';
    this.grpcStatus = grpcStatus;
    this.code = code;
    this.gatewayStatus = kind === 'auth_check' ? 403 : 500;
    this.gatewayError = kind === 'auth_check' ? 'Key not authorised' : 'Middleware error';
  }
}

/**
 * The JSON payload Tyk sends with DispatchEvent (protocol.md §2.12).
 *
 * @example
 * eventPayload('OnAuthFailure', { type: 'AuthFailure', meta: { Key: 'abc' } });
 * // '{"message":{"Type":"AuthFailure","Meta":{"Key":"abc"},"TimeStamp":"..."},"handler_name":"OnAuthFailure","spec":{...}}'
 */
export function eventPayload(handlerName: string, event: EventInit = {}): string {
  return JSON.stringify({
    message: { Type: event.type ?? 'AuthFailure', Meta: event.meta ?? {}, TimeStamp: event.timestamp ?? new Date().toString() },
    handler_name: handlerName,
    spec: { APIID: event.apiId ?? 'test-api', OrgID: event.orgId ?? 'test-org' },
  });
}

/**
 * The SDK's error catalogue. Every failure a plugin server reports to the gateway has a stable code
 * here and the gRPC status it is sent with; code (and tests) branch on `code`, never on text.
 *
 * The gateway fails closed on any non-OK status (Tyk: 403 `Key not authorised` for auth_check,
 * 500 `Middleware error` for the other hooks), so the status chosen here is for people reading
 * logs and for gateways that count errors by kind, not for the client's answer.
 */

/**
 * gRPC status codes (a wire standard, the same numbers in every gRPC library). Spelled out rather
 * than imported from @grpc/grpc-js so that a hook worker thread, which never touches gRPC, does not
 * load it.
 */
export const GrpcStatus = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;
export type GrpcStatus = (typeof GrpcStatus)[keyof typeof GrpcStatus];

export interface SdkErrorDefinition {
  /** The gRPC status the error is sent with. */
  readonly grpcStatus: GrpcStatus;
  /** What the code means, for docs and as the message when no detail is given. */
  readonly summary: string;
}

export const SDK_ERRORS = {
  /** The gateway called a hook name the plugin does not define. */
  HG_ERR_SDK_HOOK_UNKNOWN: { grpcStatus: GrpcStatus.UNIMPLEMENTED, summary: 'No hook of that name is defined' },
  /** The hook was called as another hook type than it was defined for. */
  HG_ERR_SDK_HOOK_TYPE_MISMATCH: { grpcStatus: GrpcStatus.FAILED_PRECONDITION, summary: 'The hook was called as another hook type' },
  /** The handler threw or its promise rejected. */
  HG_ERR_SDK_HOOK_FAILED: { grpcStatus: GrpcStatus.UNKNOWN, summary: 'The hook handler threw' },
  /** The handler returned, or left in the object, something that is not a valid reply. */
  HG_ERR_SDK_REPLY_INVALID: { grpcStatus: GrpcStatus.INTERNAL, summary: 'The hook produced an invalid reply' },
  /** The call's bytes are not a coprocess Object/Event, or lack what the hook type needs. */
  HG_ERR_SDK_REQUEST_INVALID: { grpcStatus: GrpcStatus.INVALID_ARGUMENT, summary: 'The call is not a valid coprocess message' },
  /** The call's deadline (or the server's hook timeout) passed before the handler finished. */
  HG_ERR_SDK_DEADLINE_EXCEEDED: { grpcStatus: GrpcStatus.DEADLINE_EXCEEDED, summary: 'The hook did not finish before the deadline' },
  /** The gateway cancelled the call (the client went away). */
  HG_ERR_SDK_CANCELLED: { grpcStatus: GrpcStatus.CANCELLED, summary: 'The call was cancelled' },
  /** The API's `config_data` could not be parsed or was refused by the plugin's `config` parser. */
  HG_ERR_SDK_CONFIG_INVALID: { grpcStatus: GrpcStatus.FAILED_PRECONDITION, summary: 'The API config_data is invalid' },
  /** DispatchEvent named a handler the plugin does not define. */
  HG_ERR_SDK_EVENT_UNKNOWN: { grpcStatus: GrpcStatus.UNIMPLEMENTED, summary: 'No event handler of that name is defined' },
  /** A worker thread failed to start, crashed, or was replaced. */
  HG_ERR_SDK_WORKER_FAILED: { grpcStatus: GrpcStatus.INTERNAL, summary: 'A worker thread failed' },
  /** The server is shutting down and takes no new work. */
  HG_ERR_SDK_SHUTTING_DOWN: { grpcStatus: GrpcStatus.UNAVAILABLE, summary: 'The plugin server is shutting down' },
  /** A plugin definition mistake (duplicate or empty hook name, ...), found at definition time. */
  HG_ERR_SDK_DEFINITION_INVALID: { grpcStatus: GrpcStatus.INTERNAL, summary: 'The plugin definition is invalid' },
  /** A failure the SDK did not expect (a bug): reported rather than crashing the server. */
  HG_ERR_SDK_INTERNAL: { grpcStatus: GrpcStatus.INTERNAL, summary: 'An unexpected failure in the plugin server' },
  /** `serve` options are invalid, or the address could not be bound. */
  HG_ERR_SDK_SERVE_FAILED: { grpcStatus: GrpcStatus.INTERNAL, summary: 'The plugin server could not start' },
} as const satisfies Record<string, SdkErrorDefinition>;

export type SdkErrorCode = keyof typeof SDK_ERRORS;

/**
 * Trailing metadata key of a failed call carrying the SdkErrorCode, so a gateway (for metrics) or
 * the test kit can tell failures apart without parsing messages.
 */
export const ERROR_CODE_METADATA_KEY = 'hookgate-error-code';

/** An SDK failure with a catalogue code; `message` is the detail sent as the gRPC status details. */
export class SdkError extends Error {
  readonly code: SdkErrorCode;
  readonly grpcStatus: GrpcStatus;
  /** The hook (or event handler) the call was for, when known; logged with the error. */
  readonly hook: string | undefined;

  constructor(code: SdkErrorCode, detail?: string, options?: { cause?: unknown; hook?: string | undefined }) {
    const def: SdkErrorDefinition = SDK_ERRORS[code];
    super(detail ?? def.summary, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SdkError';
    this.code = code;
    this.grpcStatus = def.grpcStatus;
    this.hook = options?.hook;
  }
}

/**
 * True when `err` is an SdkError (with `code`, if given).
 *
 * @example
 * try { await client.call('Nope', hookRequest()); }
 * catch (err) { if (isSdkError(err, 'HG_ERR_SDK_HOOK_UNKNOWN')) console.log(err.message); }
 */
export function isSdkError(err: unknown, code?: SdkErrorCode): err is SdkError {
  return err instanceof SdkError && (code === undefined || err.code === code);
}


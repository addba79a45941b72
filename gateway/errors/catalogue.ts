/**
 * The one error catalogue of the gateway package. Every error a client or an operator can see has a
 * stable code here; code branches on `code`, never on message text.
 *
 * `message` is what a client receives in Tyk's `{"error": "..."}` body, so where Tyk has a text for
 * the situation, the text is Tyk's, byte for byte. `status` is the HTTP status. `grpcStatus` is the
 * gRPC status used when the error crosses the plugin boundary (numbers from grpc's status enum).
 */
export interface ErrorDefinition {
  readonly status: number;
  readonly message: string;
  readonly grpcStatus?: number;
}

export const ERRORS = {
  // Routing
  HG_ERR_ROUTE_NOT_FOUND: { status: 404, message: 'Not Found' },
  HG_ERR_API_NOT_LOADED: { status: 404, message: 'Not Found' },
  HG_ERR_REQUEST_TARGET_INVALID: { status: 400, message: 'Bad Request' },
  HG_ERR_REQUEST_MALFORMED: { status: 400, message: 'Bad Request' },
  /** A path the gateway and an upstream could read differently (docs/limits.md, "Paths"). */
  HG_ERR_PATH_AMBIGUOUS: { status: 400, message: 'Bad Request: ambiguous request path' },

  // Limits on what clients send (docs/limits.md)
  HG_ERR_REQUEST_TIMEOUT: { status: 408, message: 'Request Timeout' },
  HG_ERR_HEADERS_TOO_LARGE: { status: 431, message: 'Request Header Fields Too Large' },
  HG_ERR_TOO_MANY_CONNECTIONS: { status: 503, message: 'Service Unavailable: too many connections' },
  HG_ERR_RESPONSE_TIMEOUT: { status: 504, message: 'Gateway Timeout: no response within write_timeout' },
  HG_ERR_UPSTREAM_POOL_FULL: { status: 503, message: 'Service Unavailable: upstream connection pool is full' },

  // Upstream proxy (texts are Tyk's reverse proxy texts; statuses per docs/errors.md)
  HG_ERR_UPSTREAM_UNREACHABLE: { status: 502, message: 'There was a problem proxying the request' },
  HG_ERR_UPSTREAM_HOST_LOOKUP: { status: 502, message: 'Upstream host lookup failed' },
  // A refused upstream certificate, pin, CN or TLS version/cipher: Tyk's text for any proxy failure.
  HG_ERR_UPSTREAM_TLS: { status: 502, message: 'There was a problem proxying the request' },
  HG_ERR_UPSTREAM_TIMEOUT: { status: 504, message: 'Upstream service reached hard timeout.' },
  HG_ERR_CLIENT_CLOSED_REQUEST: { status: 499, message: 'Client closed request' },
  HG_ERR_UPSTREAM_TOO_LARGE: { status: 500, message: 'Middleware error' },

  // Plugin hooks (texts are Tyk's, protocol.md 2.13)
  HG_ERR_HOOK_FAILED: { status: 500, message: 'Middleware error', grpcStatus: 2 },
  HG_ERR_AUTH_HOOK_FAILED: { status: 403, message: 'Key not authorised', grpcStatus: 2 },
  HG_ERR_AUTH_NO_SESSION: { status: 403, message: 'Forbidden' },
  HG_ERR_REQUEST_TOO_LARGE: { status: 413, message: 'Request is too large' },

  // Sessions, keys, limits (texts are Tyk's, protocol.md 2.9-2.13, tyk-config.md 0.1)
  HG_ERR_AUTH_FIELD_MISSING: { status: 401, message: 'Authorization field missing' },
  HG_ERR_KEY_NOT_FOUND: { status: 403, message: 'Access to this API has been disallowed' },
  HG_ERR_ACCESS_DISALLOWED: { status: 403, message: 'Access to this API has been disallowed' },
  HG_ERR_KEY_INACTIVE: { status: 403, message: 'Key is inactive, please renew' },
  HG_ERR_KEY_EXPIRED: { status: 401, message: 'Key has expired, please renew' },
  HG_ERR_SESSION_MISSING: { status: 400, message: 'Session state is missing or unset! Please make sure that auth headers are properly applied' },
  HG_ERR_RATE_LIMITED: { status: 429, message: 'Rate Limit Exceeded' },
  HG_ERR_QUOTA_EXCEEDED: { status: 403, message: 'Quota exceeded' },
  HG_ERR_HMAC_INVALID: { status: 400, message: 'Authorization field missing, malformed or invalid' },
  HG_ERR_EXTRACTOR_FIELD_MISSING: { status: 400, message: 'Authorization field missing' },
  HG_ERR_STORAGE_UNAVAILABLE: { status: 503, message: 'Session storage unavailable' },

  // Basic auth (texts are Tyk's, tyk-config.md 1.4; a missing credential is HG_ERR_AUTH_FIELD_MISSING)
  HG_ERR_BASIC_HEADER_MALFORMED: { status: 400, message: 'Attempted access with malformed header, header not in basic auth format' },
  HG_ERR_BASIC_ENCODING_MALFORMED: { status: 400, message: 'Attempted access with malformed header, auth data not encoded correctly' },
  HG_ERR_BASIC_VALUES_MALFORMED: { status: 400, message: 'Attempted access with malformed header, values not in basic auth format' },
  HG_ERR_BASIC_BODY_NO_USERNAME: { status: 400, message: 'Body do not contain username' },
  HG_ERR_BASIC_BODY_NO_PASSWORD: { status: 400, message: 'Body do not contain password' },
  HG_ERR_BASIC_USER_NOT_AUTHORISED: { status: 401, message: 'User not authorised' },
  // JWT (texts are Tyk's, gateway/mw_jwt.go; tyk-config.md 1.5)
  HG_ERR_JWT_FIELD_MISSING: { status: 400, message: 'Authorization field missing' },
  HG_ERR_JWT_INVALID: { status: 403, message: 'Key not authorized' },
  HG_ERR_JWT_UNEXPECTED_SIGNING_METHOD: { status: 403, message: 'Key not authorized: Unexpected signing method' },
  HG_ERR_JWT_EXPIRED: { status: 401, message: 'Key not authorized: token has expired' },
  HG_ERR_JWT_USED_BEFORE_ISSUED: { status: 401, message: 'Key not authorized: token used before issued' },
  HG_ERR_JWT_NOT_VALID_YET: { status: 401, message: 'Key not authorized: token is not valid yet' },
  HG_ERR_JWT_NO_IDENTITY: { status: 403, message: 'no suitable claims for user ID were found' },
  HG_ERR_JWT_EMPTY_SUB: { status: 403, message: 'found an empty user ID in sub claim' },
  /** Sent with ", claim: <jwt_identity_base_field>" appended, as Tyk. */
  HG_ERR_JWT_EMPTY_IDENTITY_CLAIM: { status: 403, message: 'found an empty user ID in predefined base claim' },
  HG_ERR_JWT_NO_MATCHING_POLICY: { status: 403, message: 'key not authorized: no matching policy' },
  HG_ERR_JWT_NO_POLICY_FOUND: { status: 403, message: 'key not authorized: no matching policy found' },
  HG_ERR_JWT_POLICY_NOT_APPLIED: { status: 403, message: 'key not authorized: could not apply new policy' },
  /** Sent with ": <reason>" appended, as Tyk. */
  HG_ERR_JWT_KEY_CREATE_FAILED: { status: 500, message: 'failed to create key' },
  // Client certificates (texts are Tyk's, tyk-config.md 3.7-3.10); the static allow list's
  // texts vary (`Certificate with SHA256 <hex> not allowed`), all with status 403.
  HG_ERR_CERT_REQUIRED: { status: 401, message: 'Client certificate required' },
  HG_ERR_CERT_MISMATCH: { status: 401, message: 'Access to this API has been disallowed' },
  HG_ERR_CERT_NOT_FOUND: { status: 403, message: 'Access to this API has been disallowed' },
  HG_ERR_CERT_EXPIRED: { status: 403, message: 'Certificate has expired' },
  HG_ERR_MTLS_REFUSED: { status: 403, message: 'Client TLS certificate is required' },

  // Gateway
  HG_ERR_INTERNAL: { status: 500, message: 'Internal Server Error', grpcStatus: 13 },
  HG_ERR_SHUTTING_DOWN: { status: 503, message: 'Gateway is shutting down' },
  HG_ERR_METHOD_NOT_ALLOWED: { status: 405, message: 'Method Not Allowed' },

  // Load time: configuration, API definitions, command line (never sent to a client)
  HG_ERR_CONFIG_UNREADABLE: { status: 500, message: 'Configuration file could not be read' },
  HG_ERR_CONFIG_INVALID: { status: 500, message: 'Configuration is invalid' },
  HG_ERR_APIDEF_INVALID: { status: 500, message: 'API definition is invalid' },
  HG_ERR_APIDEF_UNSUPPORTED: { status: 500, message: 'API definition uses a feature Hookgate does not support yet' },
  HG_ERR_APIDEF_CONFLICT: { status: 500, message: 'API definition conflicts with another' },
  HG_ERR_POLICY_INVALID: { status: 500, message: 'Policies are invalid' },
  HG_ERR_LISTEN_FAILED: { status: 500, message: 'Gateway could not listen' },
  HG_ERR_CLI_USAGE: { status: 500, message: 'Invalid command line' },

  // Plugin bundles, at load time and in `hookgate bundle build` (never sent to a client)
  HG_ERR_BUNDLE_FETCH: { status: 500, message: "Couldn't fetch bundle" },
  HG_ERR_BUNDLE_ARCHIVE: { status: 500, message: 'Bundle archive refused' },
  HG_ERR_BUNDLE_MANIFEST: { status: 500, message: 'Bundle manifest is invalid' },
  HG_ERR_BUNDLE_VERIFY: { status: 500, message: 'Bundle verification failed' },
  HG_ERR_BUNDLE_MERGE: { status: 500, message: "Couldn't merge bundles" },
  HG_ERR_BUNDLE_BUILD: { status: 500, message: "Couldn't build bundle" },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERRORS;

/** An error with a catalogue code. `detail` says what went wrong in this instance. */
export class HookgateError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    const def: ErrorDefinition = ERRORS[code];
    super(detail ?? def.message, options);
    this.name = 'HookgateError';
    this.code = code;
    this.status = def.status;
  }
}

export function isHookgateError(err: unknown, code?: ErrorCode): err is HookgateError {
  return err instanceof HookgateError && (code === undefined || err.code === code);
}

import { ErrorCode } from './frames.js';

/**
 * gRPC status codes, and the statuses a client derives from HTTP/2 events. Codes and details
 * follow @grpc/grpc-js (the reference transport) so that metrics, logs and fail-closed
 * decisions are the same whichever transport carried the call.
 */
export const Status = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
  PERMISSION_DENIED: 7,
} as const;

/** How a call ended when it did not end with a reply. */
export interface CallStatus {
  readonly code: number;
  readonly details: string;
}

export const callStatus = (code: number, details: string): CallStatus => ({ code, details });

/** grpc-js's mapping of a non-200 HTTP status without a grpc-status (the gRPC HTTP/2 spec's table). */
export function statusFromHttp(httpStatus: number): CallStatus {
  const details = `Received HTTP status code ${httpStatus}`;
  switch (httpStatus) {
    case 400:
      return callStatus(Status.INTERNAL, details);
    case 401:
      return callStatus(Status.UNAUTHENTICATED, details);
    case 403:
      return callStatus(Status.PERMISSION_DENIED, details);
    case 404:
      return callStatus(Status.UNIMPLEMENTED, details);
    case 429:
    case 502:
    case 503:
    case 504:
      return callStatus(Status.UNAVAILABLE, details);
    default:
      return callStatus(Status.UNKNOWN, details);
  }
}

/** grpc-js's mapping of a RST_STREAM that arrives before the call has a status. */
export function statusFromReset(errorCode: number): CallStatus {
  switch (errorCode) {
    case ErrorCode.NO_ERROR:
      return callStatus(Status.INTERNAL, `Received RST_STREAM with code ${errorCode} (Call ended without gRPC status)`);
    case ErrorCode.REFUSED_STREAM:
      return callStatus(Status.UNAVAILABLE, 'Stream refused by server');
    case ErrorCode.CANCEL:
      return callStatus(Status.CANCELLED, 'Call cancelled');
    case ErrorCode.ENHANCE_YOUR_CALM:
      return callStatus(Status.RESOURCE_EXHAUSTED, 'Bandwidth exhausted or memory limit exceeded');
    case ErrorCode.INADEQUATE_SECURITY:
      return callStatus(Status.PERMISSION_DENIED, 'Protocol not secure enough');
    case ErrorCode.INTERNAL_ERROR:
      return callStatus(Status.INTERNAL, `Received RST_STREAM with code ${errorCode} (Internal server error)`);
    default:
      return callStatus(Status.INTERNAL, `Received RST_STREAM with code ${errorCode}`);
  }
}

const hex = (c: number): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1);

/**
 * grpc-message as the gRPC spec encodes it: UTF-8, percent-encoded. A malformed escape is kept as
 * it is rather than failing (the spec forbids throwing the message away), and invalid UTF-8
 * becomes U+FFFD.
 */
export function percentDecode(octets: string): string {
  let plain = true;
  for (let i = 0; i < octets.length; i++) {
    const c = octets.charCodeAt(i);
    if (c === 0x25 || c > 0x7e) {
      plain = false;
      break;
    }
  }
  if (plain) return octets;
  const bytes = Buffer.allocUnsafe(octets.length);
  let length = 0;
  for (let i = 0; i < octets.length; i++) {
    const c = octets.charCodeAt(i);
    if (c === 0x25 && i + 2 < octets.length && hex(octets.charCodeAt(i + 1)) >= 0 && hex(octets.charCodeAt(i + 2)) >= 0) {
      bytes[length++] = hex(octets.charCodeAt(i + 1)) * 16 + hex(octets.charCodeAt(i + 2));
      i += 2;
    } else {
      bytes[length++] = c & 0xff;
    }
  }
  return bytes.toString('utf8', 0, length);
}

/** The grpc-timeout header for a deadline `ms` from now: at most 8 digits, as the spec requires. */
export function timeoutHeader(ms: number): string {
  const remaining = Math.max(0, Math.ceil(ms));
  if (remaining < 1e8) return `${remaining}m`;
  if (remaining / 1000 < 1e8) return `${Math.ceil(remaining / 1000)}S`;
  return `${Math.min(99_999_999, Math.ceil(remaining / 3_600_000))}H`;
}

import { timeoutHeader } from './grpc-status.js';
import { encodeHeaders, fieldLength, writeField } from './hpack-encoder.js';

export const USER_AGENT = 'hookgate-h2/1';

/** As grpc-js's Metadata: lower-case names of these characters; printable ASCII values. */
const LEGAL_KEY = /^[0-9a-z_.-]+$/;
const LEGAL_VALUE = /^[ -~]*$/;

/** Why metadata cannot be sent as gRPC headers, or undefined when it can. */
export function metadataProblem(metadata: Readonly<Record<string, string>> | undefined): string | undefined {
  if (metadata === undefined) return undefined;
  for (const [key, value] of Object.entries(metadata)) {
    const name = key.toLowerCase();
    if (!LEGAL_KEY.test(name)) return `Metadata key "${key}" contains illegal characters`;
    if (name.endsWith('-bin')) return `Metadata key "${key}" is binary and needs a Buffer value`;
    if (!LEGAL_VALUE.test(value)) return `Metadata string value "${value}" contains illegal characters`;
  }
  return undefined;
}

/**
 * The header block of a request. What is the same for every call to one method (pseudo-headers,
 * te, content-type, user-agent) is encoded once per path and copied; only grpc-timeout and the
 * metadata are encoded per call.
 */
export class RequestHeaders {
  private readonly prefixes = new Map<string, Buffer>();

  constructor(private readonly authority: string) {}

  /** Metadata must have passed metadataProblem(). */
  block(path: string, timeoutMs: number, metadata: Readonly<Record<string, string>> | undefined): Buffer {
    const prefix = this.prefix(path);
    const timeout = timeoutHeader(timeoutMs);
    let length = prefix.length + fieldLength('grpc-timeout', timeout);
    if (metadata !== undefined) for (const key in metadata) length += fieldLength(key.toLowerCase(), metadata[key] as string);
    const block = Buffer.allocUnsafe(length);
    let at = prefix.copy(block, 0);
    at = writeField(block, at, 'grpc-timeout', timeout);
    if (metadata !== undefined) for (const key in metadata) at = writeField(block, at, key.toLowerCase(), metadata[key] as string);
    return block;
  }

  private prefix(path: string): Buffer {
    let prefix = this.prefixes.get(path);
    if (prefix === undefined) {
      prefix = encodeHeaders([
        [':method', 'POST'],
        [':scheme', 'http'],
        [':path', path],
        [':authority', this.authority],
        ['te', 'trailers'],
        ['content-type', 'application/grpc'],
        ['user-agent', USER_AGENT],
      ]);
      this.prefixes.set(path, prefix);
    }
    return prefix;
  }
}

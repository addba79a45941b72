import { isUtf8 } from 'node:buffer';
import type { Header, ResponseObject, ResponseObject__Output } from '../protocol/index.js';
import { canonicalHeaderKey } from './go-http.js';

/** An upstream response held whole for response hooks. */
export interface BufferedResponse {
  readonly status: number;
  /** Flat [name, value, ...] list, hop-by-hop headers already removed. */
  readonly headers: readonly string[];
  readonly body: Buffer;
}

/** `ResponseObject` of protocol.md 2.11: first values in `headers`, every value in `multivalue_headers`. */
export function buildResponseObject(response: BufferedResponse, rawBodyOnly: boolean): ResponseObject {
  const headers: Record<string, string> = {};
  const multi: Header[] = [];
  const index = new Map<string, Header & { values: string[] }>();
  for (let i = 0; i < response.headers.length; i += 2) {
    const key = canonicalHeaderKey(response.headers[i] as string);
    const value = response.headers[i + 1] as string;
    if (!(key in headers)) headers[key] = value;
    const entry = index.get(key);
    if (entry === undefined) {
      const created = { key, values: [value] };
      index.set(key, created);
      multi.push(created);
    } else entry.values.push(value);
  }
  return {
    status_code: response.status,
    raw_body: response.body,
    body: !rawBodyOnly && isUtf8(response.body) ? response.body.toString('utf8') : '',
    headers,
    multivalue_headers: multi,
  };
}

const sameHeaders = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
};

/** Headers the gateway sets itself when it writes a rewritten body. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade', 'proxy-connection']);

export type ResponseReplyResult = { readonly ok: true; readonly response: BufferedResponse } | { readonly ok: false; readonly reason: string };

/**
 * The response a hook returned, applied as Tyk does: every upstream header replaced; when the
 * plugin changed the `headers` map, `multivalue_headers` is brought in line with it (first values
 * replaced, new keys added, keys it dropped removed); then the body is `raw_body` with its
 * length. A reply without `response`, or with a status that is not HTTP, is an error.
 */
export function applyResponseReply(sent: ResponseObject, returned: ResponseObject__Output | null): ResponseReplyResult {
  if (returned === null) return { ok: false, reason: 'the response hook returned no response' };
  const status = returned.status_code;
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    return { ok: false, reason: `the response hook returned status_code ${status}, which is not an HTTP status` };
  }
  let multi: { key: string; values: string[] }[] = returned.multivalue_headers.map((h) => ({ key: h.key, values: [...h.values] }));
  if (!sameHeaders(returned.headers, sent.headers ?? {})) {
    const byKey = new Map(multi.map((h) => [h.key, h]));
    for (const [key, value] of Object.entries(returned.headers)) {
      const entry = byKey.get(key);
      if (entry === undefined) {
        const created = { key, values: [value] };
        multi.push(created);
        byKey.set(key, created);
      } else entry.values[0] = value;
    }
    multi = multi.filter((h) => Object.prototype.hasOwnProperty.call(returned.headers, h.key));
  }
  const headers: string[] = [];
  for (const { key, values } of multi) {
    const name = canonicalHeaderKey(key);
    if (FRAMING.has(name.toLowerCase())) continue;
    for (const value of values) headers.push(name, value);
  }
  return { ok: true, response: { status, headers, body: Buffer.from(returned.raw_body) } };
}

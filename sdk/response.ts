import type { ResponseObject__Output } from '../coprocess/protocol/index.js';
import { bodyBytes, bodyJson, bodyText, setBody, setJsonBody } from './body.js';
import { findHeaderKey, requireName, requireString } from './headers.js';

/**
 * The upstream response a response hook sees and changes, over the protocol's ResponseObject.
 * The gateway rebuilds the response from what comes back: `status_code` (echoed, must stay a valid
 * status), `raw_body` (not `body`), and the headers from `multivalue_headers`, re-synchronised from
 * `headers` when that map changed. The helpers keep both header fields in step, so the result is
 * the same whichever the gateway reads.
 */
export class HookResponse {
  /** The protocol object itself; what is in it when the handler returns is the reply. */
  readonly object: ResponseObject__Output;

  constructor(object: ResponseObject__Output) {
    this.object = object;
  }

  /** The status sent to the client (the upstream's unless changed). */
  get status(): number {
    return this.object.status_code;
  }
  set status(value: number) {
    if (!Number.isInteger(value) || value < 100 || value > 599) throw new RangeError(`response.status must be an integer from 100 to 599, got ${String(value)}`);
    this.object.status_code = value;
  }

  /** The first value of each header (read-only; use the methods to change headers). */
  get headers(): Readonly<Record<string, string>> {
    return this.object.headers;
  }

  /**
   * Every value of a header, case-insensitively (e.g. several `Set-Cookie`).
   *
   * @example
   * const cookies = response.getHeaderValues('set-cookie');
   */
  getHeaderValues(name: string): readonly string[] {
    const lower = name.toLowerCase();
    return this.object.multivalue_headers.filter((h) => h.key.toLowerCase() === lower).flatMap((h) => h.values);
  }

  /**
   * A header's first value, case-insensitively.
   *
   * @example
   * const type = response.getHeader('content-type');
   */
  getHeader(name: string): string | undefined {
    const key = findHeaderKey(this.object.headers, name);
    if (key !== undefined) return this.object.headers[key];
    return this.getHeaderValues(name)[0];
  }

  /**
   * Sets a header to one value, replacing all its values.
   *
   * @example
   * response.setHeader('Cache-Control', 'no-store');
   */
  setHeader(name: string, value: string): this {
    requireName(name, 'response.setHeader(name)');
    requireString(value, `response.setHeader(${JSON.stringify(name)}, value)`);
    const key = this.keyFor(name);
    this.removeHeader(name);
    this.object.headers[key] = value;
    this.object.multivalue_headers.push({ key, values: [value] });
    return this;
  }

  /**
   * Adds a value to a header, keeping the ones it has.
   *
   * @example
   * response.addHeader('Set-Cookie', 'seen=1; Path=/');
   */
  addHeader(name: string, value: string): this {
    requireName(name, 'response.addHeader(name)');
    requireString(value, `response.addHeader(${JSON.stringify(name)}, value)`);
    const key = this.keyFor(name);
    const entry = this.object.multivalue_headers.find((h) => h.key === key);
    if (entry === undefined) this.object.multivalue_headers.push({ key, values: [value] });
    else entry.values.push(value);
    if (!Object.hasOwn(this.object.headers, key)) this.object.headers[key] = value;
    return this;
  }

  /**
   * Removes a header (all its values).
   *
   * @example
   * response.deleteHeader('Server');
   */
  deleteHeader(name: string): this {
    requireName(name, 'response.deleteHeader(name)');
    this.removeHeader(name);
    return this;
  }

  /**
   * The upstream body as bytes.
   *
   * @example
   * const size = response.bytes().length;
   */
  bytes(): Buffer {
    return bodyBytes(this.object);
  }

  /**
   * The upstream body decoded as UTF-8.
   *
   * @example
   * const html = response.text();
   */
  text(): string {
    return bodyText(this.object);
  }

  /**
   * The upstream body parsed as JSON; throws a SyntaxError naming the problem when it is not JSON.
   *
   * @example
   * const data = response.json<{ items: unknown[] }>();
   */
  json<T = unknown>(): T {
    return bodyJson(this.object, 'response') as T;
  }

  /**
   * Replaces the body sent to the client (the gateway sets Content-Length).
   *
   * @example
   * response.setBody(response.text().replaceAll('internal.example', 'api.example.com'));
   */
  setBody(body: string | Uint8Array): this {
    setBody(this.object, body, 'response');
    return this;
  }

  /**
   * Replaces the body sent to the client with `value` as JSON. Content-Type is left as it is.
   *
   * @example
   * response.setJson({ ...response.json<object>(), served_by: 'hookgate' });
   */
  setJson(value: unknown): this {
    setJsonBody(this.object, value, 'response');
    return this;
  }

  /** The spelling already in use for this header, else the one given (the gateway canonicalises). */
  private keyFor(name: string): string {
    const lower = name.toLowerCase();
    return findHeaderKey(this.object.headers, name) ?? this.object.multivalue_headers.find((h) => h.key.toLowerCase() === lower)?.key ?? name;
  }

  private removeHeader(name: string): void {
    const lower = name.toLowerCase();
    for (const key of Object.keys(this.object.headers)) if (key.toLowerCase() === lower) delete this.object.headers[key];
    this.object.multivalue_headers = this.object.multivalue_headers.filter((h) => h.key.toLowerCase() !== lower);
  }
}
